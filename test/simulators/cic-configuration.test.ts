import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { IcwsTestClient } from '../../simulators/cic/test-client';

const silent = pino({ level: 'silent' });

describe('CIC simulator: configuration users', () => {
  let pair: CicSimulatorPair;
  let client: IcwsTestClient;

  before(async () => {
    pair = await startCicSimulatorPair({ directory: { count: 1001, seed: 11 }, logger: silent });
    const now = '20240101T000000Z';
    pair.directory.add({
      configurationId: { id: 'Steve.Zed', displayName: '', uri: '' },
      personalInformationProperties: {
        givenName: 'Steve',
        surname: 'Zed',
        emailAddress: 'steve.zed@acme.test',
        businessNumber: '',
      },
      lastModifiedDate: now,
      createdDate: now,
    });
    pair.directory.add({
      configurationId: { id: 'émile.zola', displayName: '', uri: '' },
      personalInformationProperties: { givenName: 'Émile', surname: 'Zola', displayName: 'Émile Zola' },
      lastModifiedDate: now,
      createdDate: now,
    });
    client = await IcwsTestClient.connect(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
    });
  });
  after(() => pair.close());

  it('returns only configurationId without select, and omits empty properties with select=*', async () => {
    const plain = await client.request('GET', '/configuration/users/steve.zed');
    assert.equal(plain.status, 200);
    assert.deepEqual(plain.body, {
      configurationId: { id: 'Steve.Zed', displayName: 'Steve.Zed', uri: '/configuration/users/Steve.Zed' },
    });
    const full = await client.request('GET', '/configuration/users/Steve.Zed?select=*');
    assert.deepEqual(full.body.personalInformationProperties, {
      givenName: 'Steve',
      surname: 'Zed',
      emailAddress: 'steve.zed@acme.test',
    });
    assert.equal(
      full.body.personalInformationProperties.displayName,
      undefined,
      'no Display Name was supplied',
    );
    assert.match(full.body.lastModifiedDate, /^\d{8}T\d{6}Z$/);
  });

  it('selects sub-properties, and rejects unknown ones', async () => {
    const res = await client.request(
      'GET',
      '/configuration/users/Steve.Zed?select=personalInformationProperties.emailAddress,extension',
    );
    assert.deepEqual(Object.keys(res.body).sort(), ['configurationId', 'personalInformationProperties']);
    assert.deepEqual(res.body.personalInformationProperties, { emailAddress: 'steve.zed@acme.test' });
    assert.equal((await client.request('GET', '/configuration/users/Steve.Zed?select=bogus')).status, 400);
  });

  it('finds unicode ids through a percent-encoded path, and answers 404 for unknown ids', async () => {
    const folded = await client.request('GET', `/configuration/users/emile.zola`);
    assert.equal(folded.status, 404, 'ids are not accent-folded');
    assert.equal(folded.body.errorId, 'error.request.notFound');
    assert.equal(
      (await client.request('GET', `/configuration/users/${encodeURIComponent('ÉMILE.ZOLA')}`)).status,
      200,
    );
    const found = await client.request(
      'GET',
      `/configuration/users/${encodeURIComponent('émile.zola')}?select=*`,
    );
    assert.equal(found.status, 200);
    assert.equal(found.body.configurationId.displayName, 'Émile Zola');
    assert.equal(found.body.configurationId.uri, `/configuration/users/${encodeURIComponent('émile.zola')}`);
  });

  it('filters with eq, sw and ct, comma meaning AND, ignoring case', async () => {
    const get = (where: string) =>
      client.request('GET', `/configuration/users?select=*&where=${encodeURIComponent(where)}`);
    const eq = await get('personalInformationProperties.emailAddress eq STEVE.ZED@acme.test');
    assert.deepEqual(
      eq.body.items.map((u: any) => u.configurationId.id),
      ['Steve.Zed'],
    );
    const sw = await get('configurationId.id sw stev');
    assert.ok(sw.body.items.some((u: any) => u.configurationId.id === 'Steve.Zed'));
    assert.ok(sw.body.items.every((u: any) => u.configurationId.id.toLowerCase().startsWith('stev')));
    const both = await get('configurationId.id sw stev, personalInformationProperties.surname ct ze');
    assert.deepEqual(
      both.body.items.map((u: any) => u.configurationId.id),
      ['Steve.Zed'],
    );
    assert.equal((await get('configurationId.id like x')).status, 400);
    assert.equal((await get('nothing.here eq x')).status, 400);
  });

  it('orders by one field, ascending or desc', async () => {
    const asc = await client.request(
      'GET',
      '/configuration/users?select=personalInformationProperties.surname&orderBy=personalInformationProperties.surname',
    );
    const surnames = asc.body.items.map((u: any) =>
      (u.personalInformationProperties?.surname ?? '').toLowerCase(),
    );
    assert.deepEqual(surnames, [...surnames].sort());
    const desc = await client.request(
      'GET',
      '/configuration/users?orderBy=configurationId.id%20desc',
      undefined,
      { Range: 'items=0-9' },
    );
    const ids = desc.body.items.map((u: any) => u.configurationId.id.toLowerCase());
    assert.deepEqual(ids, [...ids].sort().reverse());
    assert.equal((await client.request('GET', '/configuration/users?orderBy=a%20b%20c')).status, 400);
  });

  it('pages with Range: items=first-last, capped at 200, and reports the total in Content-Range', async () => {
    const total = pair.directory.size;
    const first = await client.request('GET', '/configuration/users?select=*');
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('content-range'), `items 0-199/${total}`);
    assert.equal(first.body.items.length, 200);

    const seen = new Set<string>();
    for (let start = 0; start < total; start += 200) {
      const page = await client.request('GET', '/configuration/users?select=configurationId', undefined, {
        Range: `items=${start}-${start + 499}`,
      });
      assert.equal(page.status, 206);
      const last = Math.min(start + 199, total - 1);
      assert.equal(page.headers.get('content-range'), `items ${start}-${last}/${total}`);
      for (const u of page.body.items) seen.add(u.configurationId.id);
    }
    assert.equal(seen.size, total);

    const past = await client.request('GET', '/configuration/users', undefined, {
      Range: `items=${total}-${total + 10}`,
    });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `items */${total}`);
    const small = await client.request(
      'GET',
      '/configuration/users?where=configurationId.id%20eq%20steve.zed',
    );
    assert.equal(small.status, 200);
    assert.equal(small.headers.get('content-range'), 'items 0-0/1');
    const none = await client.request('GET', '/configuration/users?where=configurationId.id%20eq%20nobody');
    assert.deepEqual(none.body, { items: [] });
  });
});
