import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { listUserStates } from '../../operations/directory';

/**
 * The integration health page in a real browser (Debian's Chromium, headless, scripts off): every row is
 * there, and a row turns red when its part fails (the CIC servers stop; the OAuth client is deleted in the
 * org) and green again when it recovers, by the page's own refresh.
 */

let h: BridgeHarness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const ARTIFACTS = 'test-artifacts';
const ROWS = ['pairing', 'cic-connection', 'genesys-api', 'directory-sync', 'presence', 'sso', 'conduit'];

before(async () => {
  h = await startBridge('health_browser', {
    cic: { directory: { count: 5, seed: 2, duplicateEmailShare: 0 } },
    config: { healthProbeSeconds: 1 },
  });
  await h.pair();
  await eventually('the first sync pass', async () => (await listUserStates(h.db)).lastRun?.status === 'completed', 60_000);
  await eventually('the IdP registration', async () => h.genesys.state.identityProviders.get('cic'), 30_000);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  context = await browser.newContext({ javaScriptEnabled: false });
  page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.goto(`${h.bridgeUrl}/health?refresh=2`);
});
after(async () => {
  await browser?.close();
  await h?.stop();
});

/** The row's colour and reason as the page shows them now; the page reloads itself every 2 s. */
async function row(name: string) {
  const el = page.locator(`#row-${name}`);
  return { status: await el.getAttribute('data-status', { timeout: 3000 }), reason: (await el.locator('.reason').textContent({ timeout: 3000 })) ?? '' };
}

async function until(name: string, status: string, timeoutMs = 45_000) {
  return eventually(`the ${name} row to turn ${status}`, async () => {
    const r = await row(name).catch(() => undefined);
    return r?.status === status ? r : undefined;
  }, timeoutMs);
}

test('every row renders, without JavaScript; the parts that work are green and the unbuilt one says so', async () => {
  for (const name of ['pairing', 'cic-connection', 'genesys-api', 'directory-sync', 'presence', 'sso']) await until(name, 'green');
  for (const name of ROWS) assert.equal(await page.locator(`#row-${name}`).count(), 1, name);
  assert.match((await row('pairing')).reason, /paired with demo-org .*primary http:\/\/127\.0\.0\.1:\d+, watch held by \d+@/);
  assert.match((await row('cic-connection')).reason, /connected to http:\/\/127\.0\.0\.1:\d+ for \d+ s/);
  assert.match((await row('genesys-api')).reason, /token valid; .*no 429 in the last hour/);
  assert.match((await row('directory-sync')).reason, /\d+ Synced, 0 Error, \d+ Not synced/);
  const conduit = await row('conduit');
  assert.equal(conduit.status, 'green', conduit.reason);
  assert.match(conduit.reason, /^off/, 'the Conduit is off by default');
  const meta = await page.locator('meta[http-equiv="refresh"]').getAttribute('content');
  assert.equal(meta, '2');
  const html = await page.content();
  for (const secret of ['demo-secret', 'admin-pass', h.config.secretKey!]) assert.ok(!html.includes(secret), 'no secret on the page');
  assert.ok(!html.includes('[object Object]'), 'every fact is shown as a value');
  await page.screenshot({ path: `${ARTIFACTS}/health-green.png`, fullPage: true });

  const json: any = await (await fetch(`${h.bridgeUrl}/health.json`)).json();
  assert.deepEqual(json.rows.map((r: any) => r.name), ['Pairing', 'CIC connection', 'Genesys API', 'Directory sync', 'Presence', 'SSO', 'Conduit']);
  // The watch's first snapshot signalled users that needed no write (PureCloudAdmin, no email): nothing waits.
  const directory = json.rows.find((r: any) => r.name === 'Directory sync');
  assert.equal(directory.facts.changesWaiting, 0, JSON.stringify(directory.facts));
});

test('the CIC row turns red when the CIC servers stop, and green again when they are back', async () => {
  await h.cic.setServerUp('a', false);
  await h.cic.setServerUp('b', false);
  const red = await until('cic-connection', 'red');
  assert.match(red.reason, /CIC is unreachable, reconnecting/);
  await page.screenshot({ path: `${ARTIFACTS}/health-cic-down.png`, fullPage: true });
  await h.cic.setServerUp('a', true);
  await h.cic.setServerUp('b', true);
  const green = await until('cic-connection', 'green', 60_000);
  assert.match(green.reason, /connected to/);
});

test('the Genesys row turns red when the OAuth client is deleted in the org, and green once it is back', async () => {
  const { clients } = await h.genesysAdmin('GET', '/__admin/clients');
  const demo = clients.find((c: any) => c.id === 'demo-client');
  await h.genesysAdmin('DELETE', '/__admin/clients/demo-client');
  const red = await until('genesys-api', 'red');
  assert.match(red.reason, /Genesys Cloud refused the OAuth client/);
  assert.ok(!red.reason.includes('demo-secret'));
  await page.screenshot({ path: `${ARTIFACTS}/health-oauth-revoked.png`, fullPage: true });
  await h.genesysAdmin('POST', '/__admin/clients', { id: 'demo-client', secret: 'demo-secret', name: demo.name, grantTypes: demo.grantTypes });
  await until('genesys-api', 'green');
});
