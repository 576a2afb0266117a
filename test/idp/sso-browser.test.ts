import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { listUserStates } from '../../operations/directory';

/**
 * Sign-in in a real browser (Debian's Chromium, headless): it starts at the org's login page, is sent to the
 * bridge's sign-in page with an AuthnRequest, enters CIC credentials, and the auto-posted response signs it
 * in to the org as the linked cloud user.
 */

let h: BridgeHarness;
let browser: Browser;
const ARTIFACTS = 'test-artifacts';

before(async () => {
  h = await startBridge('sso_browser', { cic: { directory: { count: 4, seed: 2 } } });
  await h.cicAdmin('POST', '/__admin/users', { id: 'morpheus', password: 'Red-Pill-42', personalInformationProperties: { emailAddress: 'morpheus@example.com', displayName: 'Morpheus' } });
  await h.cicAdmin('POST', '/__admin/users', { id: 'cypher', password: 'Steak-99', personalInformationProperties: { displayName: 'Cypher' } });
  await h.pair();
  await eventually('the first sync pass', async () => (await listUserStates(h.db)).lastRun?.status === 'completed', 60_000);
  await eventually('the IdP registration', async () => h.genesys.state.identityProviders.get('cic'), 30_000);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  mkdirSync(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await h?.stop();
});

async function toBridgeSignIn(page: Page) {
  await page.goto(`${h.genesys.urls.login}/authenticate-adv/org/demo-org`);
  await page.click('#sso-cic');
  await page.waitForURL(`${h.bridgeUrl}/saml/sso?**`);
}

async function submit(page: Page, username: string, password: string) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#submit');
}

test('from the org login page through the bridge sign-in to Genesys Cloud as the linked user', async () => {
  const page = await browser.newPage();
  await toBridgeSignIn(page);
  assert.match(await page.textContent('h1') ?? '', /Sign in to demo-org/);
  await submit(page, 'morpheus', 'Red-Pill-42');
  await page.waitForURL(`${h.genesys.urls.login}/saml/welcome?**`, { timeout: 10_000 });
  assert.match(await page.textContent('body') ?? '', /Signed in to demo-org as morpheus@example\.com/);
  const cloud = (await h.cloudUsers()).find((u: any) => u.userName === 'morpheus@example.com');
  const login = h.genesys.state.logins.at(-1)!;
  assert.equal(login.kind, 'acs');
  assert.equal(login.userId, cloud.id);
  await page.screenshot({ path: `${ARTIFACTS}/sso-signed-in.png` });
  await page.close();
});

test('a wrong password shows an error and no assertion reaches the org', async () => {
  const before = h.genesys.state.logins.length;
  const page = await browser.newPage();
  await toBridgeSignIn(page);
  await submit(page, 'morpheus', 'Blue-Pill');
  assert.match(await page.textContent('#error') ?? '', /user name or password is wrong/);
  assert.ok(page.url().startsWith(`${h.bridgeUrl}/saml/signin`));
  await page.screenshot({ path: `${ARTIFACTS}/sso-wrong-password.png` });
  assert.equal(h.genesys.state.logins.length, before);
  await page.close();
});

test('a CIC user without a business email sees why it cannot sign in', async () => {
  const page = await browser.newPage();
  await toBridgeSignIn(page);
  await submit(page, 'cypher', 'Steak-99');
  assert.match(await page.textContent('#error') ?? '', /not synced \(no business email\)/);
  await page.screenshot({ path: `${ARTIFACTS}/sso-unlinked.png` });
  await page.close();
});
