import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CicSnapshot, CicUser } from '../../domain/cic-user';
import { contentHash } from '../../domain/content-hash';
import { planMatch, planUserSync, type PlanOptions, type UserLink } from '../../domain/user-diff';
import { toScimUser, type DesiredScimUser } from '../../domain/user-mapping';

const opts: PlanOptions = { defaultCountry: 'US', massRemovalThreshold: 0.2, hash: contentHash };

function cic(id: string, email?: string, more: Partial<CicUser> = {}): CicUser {
  return { id, userName: id, ...(email ? { email } : {}), phones: {}, ...more };
}

function desired(user: CicUser): DesiredScimUser {
  // Fixtures may need a row for the service user (a legacy link), so the exclusion is switched off here.
  const r = toScimUser(user, { ...opts, serviceUserName: '(none)' });
  assert.ok(r.ok, `${user.id} must be syncable`);
  return r.scim;
}

/** A link row as the apply step leaves it after syncing `user` successfully. */
function synced(user: CicUser, more: Partial<UserLink> = {}): UserLink {
  const scim = desired(user);
  return {
    cicId: user.id,
    genesysId: `g-${user.id}`,
    email: scim.userName,
    syncedHash: contentHash(scim),
    syncedValues: scim,
    state: 'synced',
    active: true,
    ...more,
  };
}

const snap = (users: CicUser[], invalid: CicSnapshot['invalid'] = []): CicSnapshot => ({ users, invalid });

/** Only the plan lists that hold something, to keep assertions readable. */
function nonEmpty(plan: ReturnType<typeof planUserSync>) {
  return Object.fromEntries(
    Object.entries(plan).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== 0)),
  );
}

describe('planUserSync: first run', () => {
  it('creates syncable users, lists the rest with reasons', () => {
    const plan = planUserSync(
      snap(
        [
          cic('zed', 'zed@example.com'),
          cic('amy', 'amy@example.com', { displayName: 'Amy Ærø' }),
          cic('noemail'),
          cic('PureCloudAdmin', 'admin@example.com'),
        ],
        [{ reason: 'invalid CIC user record: configurationId.id: must not be empty' }],
      ),
      [],
      opts,
    );
    assert.deepEqual(
      plan.creates.map((c) => [c.cicId, c.scim.displayName, c.hash === contentHash(c.scim)]),
      [
        ['amy', 'Amy Ærø', true],
        ['zed', 'zed', true],
      ],
    );
    assert.deepEqual(plan.notSynced, [{ cicId: 'noemail', reason: 'no business email' }]);
    assert.deepEqual(plan.excluded, [
      { cicId: 'PureCloudAdmin', reason: 'the bridge service user is never synced' },
    ]);
    assert.deepEqual(plan.invalid, [
      { reason: 'invalid CIC user record: configurationId.id: must not be empty' },
    ]);
    assert.equal(plan.unchanged, 0);
    assert.equal(plan.blockedByMassRemoval, undefined);
  });

  it('reports phone problems and still creates the user', () => {
    const plan = planUserSync(
      snap([cic('a', 'a@x.org', { phones: { business: '555-0102', mobile: '(317) 555-0100' } })]),
      [],
      opts,
    );
    assert.deepEqual(plan.creates[0].scim.phoneNumbers, [{ type: 'mobile', value: '+13175550100' }]);
    assert.deepEqual(plan.problems, [
      { cicId: 'a', messages: ["Business phone '555-0102' is not a valid number for US: too short"] },
    ]);
  });
});

describe('planUserSync: changes', () => {
  const jane = cic('jdoe', 'jane@example.com', {
    phones: { business: '(317) 555-0100', mobile: '317 555 0101' },
  });

  it('does nothing for unchanged users', () => {
    const plan = planUserSync(snap([jane]), [synced(jane)], opts);
    assert.deepEqual(nonEmpty(plan), { unchanged: 1 });
  });

  it('still reports the problems of an unchanged user', () => {
    const odd = cic('odd', 'odd@x.org', { phones: { fax: 'garbage-abc' } });
    const plan = planUserSync(snap([odd]), [synced(odd)], opts);
    assert.equal(plan.unchanged, 1);
    assert.deepEqual(plan.problems, [
      { cicId: 'odd', messages: ["Fax 'garbage-abc' is not a valid number for US: not a phone number"] },
    ]);
  });

  it('replaces the defaulted display name when one is added later', () => {
    const plan = planUserSync(snap([{ ...jane, displayName: 'Jane Doe' }]), [synced(jane)], opts);
    assert.equal(plan.updates.length, 1);
    const [u] = plan.updates;
    assert.equal(u.genesysId, 'g-jdoe');
    assert.deepEqual(u.changes, [{ attribute: 'displayName', before: 'jdoe', after: 'Jane Doe' }]);
    assert.deepEqual(u.patchOps, [{ op: 'replace', path: 'displayName', value: 'Jane Doe' }]);
    assert.equal(u.hash, contentHash(u.scim));
    assert.equal(u.scim.displayName, 'Jane Doe');
  });

  it('sends only what changed in CIC, so cloud-side edits of other attributes stay', () => {
    const plan = planUserSync(
      snap([{ ...jane, phones: { ...jane.phones, mobile: '317 555 0199' } }]),
      [synced(jane)],
      opts,
    );
    assert.deepEqual(plan.updates[0].patchOps, [
      { op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+13175550199' },
    ]);
  });

  it('removes a phone cleared in CIC', () => {
    const plan = planUserSync(
      snap([{ ...jane, phones: { business: jane.phones.business } }]),
      [synced(jane)],
      opts,
    );
    assert.deepEqual(plan.updates[0].changes, [
      { attribute: 'phoneNumbers[type eq "mobile"].value', before: '+13175550101', after: null },
    ]);
    assert.deepEqual(plan.updates[0].patchOps, [{ op: 'remove', path: 'phoneNumbers[type eq "mobile"]' }]);
  });

  it('treats a change of case in the email local part as a change of login', () => {
    const plan = planUserSync(snap([{ ...jane, email: 'Jane@example.com' }]), [synced(jane)], opts);
    assert.deepEqual(plan.updates[0].patchOps, [
      { op: 'replace', path: 'userName', value: 'Jane@example.com' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'Jane@example.com' },
    ]);
  });

  it('follows a unicode display name change', () => {
    const before = { ...jane, displayName: 'Zoe Agren' };
    const plan = planUserSync(snap([{ ...jane, displayName: 'Zoë Ågren' }]), [synced(before)], opts);
    assert.deepEqual(plan.updates[0].patchOps, [{ op: 'replace', path: 'displayName', value: 'Zoë Ågren' }]);
  });

  it('sends every attribute when the last synced values are unknown', () => {
    const plan = planUserSync(
      snap([jane]),
      [{ cicId: 'jdoe', genesysId: 'g-jdoe', email: 'jane@example.com', state: 'error', active: true }],
      opts,
    );
    assert.equal(plan.updates[0].patchOps.length, 5);
  });

  it('creates a user who was not synced before and now has an email', () => {
    const plan = planUserSync(
      snap([jane]),
      [{ cicId: 'jdoe', email: null, state: 'not-synced', active: false }],
      opts,
    );
    assert.deepEqual(
      plan.creates.map((c) => c.cicId),
      ['jdoe'],
    );
  });
});

describe('planUserSync: losing and regaining the email', () => {
  const jane = cic('jdoe', 'jane@example.com');

  it('keeps the cloud user untouched and lists the user as not synced', () => {
    const plan = planUserSync(snap([cic('jdoe')]), [synced(jane)], opts);
    assert.deepEqual(nonEmpty(plan), { notSynced: [{ cicId: 'jdoe', reason: 'no business email' }] });
  });

  it('marks the link synced again, without a request, when the same email comes back', () => {
    const plan = planUserSync(snap([jane]), [synced(jane, { state: 'not-synced' })], opts);
    assert.deepEqual(nonEmpty(plan), {
      backInSync: [
        { cicId: 'jdoe', genesysId: 'g-jdoe', scim: desired(jane), hash: contentHash(desired(jane)) },
      ],
    });
  });

  it('updates the login when a different email comes back', () => {
    const plan = planUserSync(
      snap([{ ...jane, email: 'jd@example.com' }]),
      [synced(jane, { state: 'not-synced' })],
      opts,
    );
    assert.equal(plan.updates[0].changes.length, 2);
  });

  it('marks an errored link synced when the values already match', () => {
    const plan = planUserSync(snap([jane]), [synced(jane, { state: 'error' })], opts);
    assert.equal(plan.backInSync.length, 1);
    assert.equal(plan.unchanged, 0);
  });
});

describe('planUserSync: removal and return', () => {
  const users = Array.from({ length: 10 }, (_, i) => cic(`u${i}`, `u${i}@example.com`));
  const links = users.map((u) => synced(u));

  it('deactivates a user removed from CIC', () => {
    const plan = planUserSync(snap(users.slice(1)), links, opts);
    assert.deepEqual(plan.deactivations, [
      { cicId: 'u0', genesysId: 'g-u0', patchOps: [{ op: 'replace', path: 'active', value: false }] },
    ]);
    assert.equal(plan.deletions.length, 0);
    assert.equal(plan.unchanged, 9);
  });

  it('does not deactivate twice, and drops links that never reached the cloud', () => {
    const plan = planUserSync(
      snap(users.slice(2)),
      [
        synced(users[0], { active: false, state: 'deactivated' }),
        { cicId: 'u1', state: 'not-synced', active: false },
        ...links.slice(2),
      ],
      opts,
    );
    assert.deepEqual(plan.deactivations, []);
    assert.deepEqual(plan.staleLinks, [{ cicId: 'u1' }]);
  });

  it('reactivates a user who reappears, with any changes', () => {
    const back = { ...users[0], displayName: 'Back Again' };
    const plan = planUserSync(
      snap([back, ...users.slice(1)]),
      [synced(users[0], { active: false, state: 'deactivated' }), ...links.slice(1)],
      opts,
    );
    assert.equal(plan.reactivations.length, 1);
    assert.deepEqual(plan.reactivations[0].patchOps, [
      { op: 'replace', path: 'active', value: true },
      { op: 'replace', path: 'displayName', value: 'Back Again' },
    ]);
    assert.equal(plan.updates.length, 0);
  });

  it('reactivates with only active=true when nothing else changed', () => {
    const plan = planUserSync(
      snap(users),
      [synced(users[0], { active: false, state: 'deactivated' }), ...links.slice(1)],
      opts,
    );
    assert.deepEqual(plan.reactivations[0].patchOps, [{ op: 'replace', path: 'active', value: true }]);
  });

  it('keeps a deactivated user inactive if it reappears without email', () => {
    const plan = planUserSync(
      snap([cic('u0'), ...users.slice(1)]),
      [synced(users[0], { active: false, state: 'deactivated' }), ...links.slice(1)],
      opts,
    );
    assert.deepEqual(plan.reactivations, []);
    assert.deepEqual(plan.notSynced, [{ cicId: 'u0', reason: 'no business email' }]);
  });

  it('deletes instead of deactivating on purge, including already inactive users', () => {
    const plan = planUserSync(
      snap(users.slice(2)),
      [synced(users[0], { active: false, state: 'deactivated' }), ...links.slice(1)],
      { ...opts, purge: true },
    );
    assert.deepEqual(plan.deletions, [
      { cicId: 'u0', genesysId: 'g-u0' },
      { cicId: 'u1', genesysId: 'g-u1' },
    ]);
    assert.deepEqual(plan.deactivations, []);
  });

  it('never deactivates a user whose CIC record is invalid but present', () => {
    const plan = planUserSync(snap(users.slice(1), [{ cicId: 'u0', reason: 'bad' }]), links, opts);
    assert.deepEqual(plan.deactivations, []);
    assert.deepEqual(plan.invalid, [{ cicId: 'u0', reason: 'bad' }]);
    assert.equal(plan.unchanged, 9);
  });
});

describe('planUserSync: mass-removal safeguard', () => {
  const users = Array.from({ length: 10 }, (_, i) => cic(`u${i}`, `u${i}@example.com`));
  const links = users.map((u) => synced(u));

  it('allows removals up to the threshold', () => {
    const plan = planUserSync(snap(users.slice(2)), links, opts);
    assert.equal(plan.deactivations.length, 2);
    assert.equal(plan.blockedByMassRemoval, undefined);
  });

  it('blocks every removal above the threshold and says why', () => {
    const plan = planUserSync(
      snap(users.slice(3)),
      [...links, { cicId: 'gone', state: 'not-synced', active: false }],
      opts,
    );
    assert.deepEqual(plan.blockedByMassRemoval, { wouldDeactivate: 3, recentlyRemoved: 0, total: 10, threshold: 0.2 });
    assert.deepEqual(plan.deactivations, []);
    assert.deepEqual(plan.staleLinks, []);
    assert.equal(plan.unchanged, 7, 'the rest of the run still goes ahead');
  });

  it('blocks a purge too', () => {
    const plan = planUserSync(snap(users.slice(5)), links, { ...opts, purge: true });
    assert.deepEqual(plan.deletions, []);
    assert.equal(plan.blockedByMassRemoval?.wouldDeactivate, 5);
  });

  it('blocks an empty directory read', () => {
    const plan = planUserSync(snap([]), links, opts);
    assert.deepEqual(plan.blockedByMassRemoval, { wouldDeactivate: 10, recentlyRemoved: 0, total: 10, threshold: 0.2 });
  });

  it('counts only active linked users, without the service user', () => {
    const admin = synced(cic('PureCloudAdmin', 'admin@example.com'));
    const inactive = users.slice(0, 5).map((u) => synced(u, { active: false, state: 'deactivated' }));
    // 2 of 5 active users is 40%; counting the 5 inactive ones and the service user it would be 2 of 11.
    const plan = planUserSync(snap(users.slice(7)), [admin, ...inactive, ...links.slice(5)], opts);
    assert.deepEqual(plan.blockedByMassRemoval, { wouldDeactivate: 2, recentlyRemoved: 0, total: 5, threshold: 0.2 });
  });

  it('adds up removals made one at a time within the recent window', () => {
    // One more removal alone is 1 of 8 (12.5%), but 2 were removed moments ago: 3 of 10 is over 20%.
    const plan = planUserSync(snap(users.slice(3)), links.slice(2), { ...opts, recentRemovals: 2 });
    assert.deepEqual(plan.blockedByMassRemoval, { wouldDeactivate: 1, recentlyRemoved: 2, total: 10, threshold: 0.2 });
    assert.deepEqual(plan.deactivations, []);
  });

  it('lets an operator confirm the removal', () => {
    const plan = planUserSync(snap(users.slice(3)), links, { ...opts, allowMassRemoval: true });
    assert.equal(plan.deactivations.length, 3);
    assert.equal(plan.blockedByMassRemoval, undefined);
  });

  it('rejects a threshold outside 0..1', () => {
    for (const t of [-0.1, 1.5, Number.NaN]) {
      assert.throws(() => planUserSync(snap([]), [], { ...opts, massRemovalThreshold: t }), RangeError);
    }
  });
});

describe('planUserSync: the service user', () => {
  it('never appears in any action, even with a link row or when removed', () => {
    const admin = cic('PureCloudAdmin', 'admin@example.com', { displayName: 'Changed' });
    const link = synced(cic('PureCloudAdmin', 'admin@example.com'));
    const present = planUserSync(snap([admin]), [link], opts);
    assert.deepEqual(nonEmpty(present), {
      excluded: [{ cicId: 'PureCloudAdmin', reason: 'the bridge service user is never synced' }],
    });
    const removed = planUserSync(snap([]), [{ ...link, cicId: 'purecloudadmin' }], opts);
    assert.deepEqual(nonEmpty(removed), {});
  });

  it('honours a configured service user name', () => {
    const plan = planUserSync(snap([cic('bridgesvc', 'b@x.org'), cic('PureCloudAdmin', 'a@x.org')]), [], {
      ...opts,
      serviceUserName: 'BridgeSvc',
    });
    assert.deepEqual(
      plan.excluded.map((e) => e.cicId),
      ['bridgesvc'],
    );
    assert.deepEqual(
      plan.creates.map((c) => c.cicId),
      ['PureCloudAdmin'],
    );
  });
});

describe('planUserSync: duplicates', () => {
  it('keeps the email with the user already synced with it; the other is a conflict', () => {
    const owner = cic('owner', 'shared@example.com');
    const plan = planUserSync(snap([cic('copycat', 'Shared@example.com'), owner]), [synced(owner)], opts);
    assert.equal(plan.unchanged, 1);
    assert.deepEqual(plan.creates, []);
    assert.deepEqual(plan.conflicts, [
      {
        cicId: 'copycat',
        reason: "business email Shared@example.com is already synced for CIC user 'owner'",
      },
    ]);
  });

  it('holds back all users sharing an email nobody holds yet', () => {
    const plan = planUserSync(
      snap([cic('a', 'dup@x.org'), cic('b', 'dup@x.org'), cic('c', 'c@x.org')]),
      [],
      opts,
    );
    assert.deepEqual(
      plan.creates.map((c) => c.cicId),
      ['c'],
    );
    assert.deepEqual(plan.conflicts, [
      {
        cicId: 'a',
        reason: "business email dup@x.org is also used by CIC user 'b'; fix the duplicate in CIC",
      },
      {
        cicId: 'b',
        reason: "business email dup@x.org is also used by CIC user 'a'; fix the duplicate in CIC",
      },
    ]);
  });

  it('reports a CIC id that appears twice and uses the first', () => {
    const plan = planUserSync(snap([cic('a', 'a@x.org'), cic('a', 'other@x.org')]), [], opts);
    assert.deepEqual(
      plan.creates.map((c) => c.scim.userName),
      ['a@x.org'],
    );
    assert.deepEqual(plan.invalid, [
      { cicId: 'a', reason: 'CIC user id appears more than once in the directory read' },
    ]);
  });
});

describe('planUserSync: determinism', () => {
  it('gives the same plan whatever the input order', () => {
    const users = [
      cic('c', 'c@x.org'),
      cic('a', 'a@x.org', { displayName: 'A' }),
      cic('b'),
      cic('d', 'd@x.org'),
    ];
    const links = [synced(cic('a', 'a@x.org')), synced(cic('e', 'e@x.org')), synced(cic('d', 'd@x.org'))];
    const invalid = [{ cicId: 'z', reason: 'bad' }, { reason: 'no id' }];
    const one = planUserSync(snap(users, invalid), links, { ...opts, massRemovalThreshold: 0.5 });
    const two = planUserSync(snap([...users].reverse(), [...invalid].reverse()), [...links].reverse(), {
      ...opts,
      massRemovalThreshold: 0.5,
    });
    assert.deepEqual(two, one);
    assert.deepEqual(one.invalid, [{ reason: 'no id' }, { cicId: 'z', reason: 'bad' }]);
    assert.deepEqual(Object.keys(nonEmpty(one)).sort(), [
      'creates',
      'deactivations',
      'invalid',
      'notSynced',
      'unchanged',
      'updates',
    ]);
  });
});

describe('planMatch', () => {
  const scim = desired(cic('jdoe', 'jane@example.com', { phones: { business: '(317) 555-0100' } }));
  const attributeOps = [
    { op: 'replace', path: 'displayName', value: 'jdoe' },
    { op: 'replace', path: 'userName', value: 'jane@example.com' },
    { op: 'add', path: 'emails[type eq "work"].value', value: 'jane@example.com' },
    { op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '+13175550100' },
  ];

  it('creates when no cloud user has the email or our id', () => {
    assert.deepEqual(planMatch(scim, undefined), { action: 'create' });
    assert.deepEqual(planMatch(scim, null), { action: 'create' });
  });

  it('links an existing unlinked user with the same email instead of duplicating it', () => {
    const m = planMatch(scim, { id: 'g1', active: true });
    assert.equal(m.action, 'link');
    assert.ok(m.action === 'link');
    assert.equal(m.genesysId, 'g1');
    assert.deepEqual(m.patchOps, [{ op: 'replace', path: 'externalId', value: 'jdoe' }, ...attributeOps]);
    assert.equal(m.changes.length, 4);
    assert.equal(planMatch(scim, { id: 'g1', externalId: '', active: true }).action, 'link');
  });

  it('adopts a user it created before a crash (externalId already ours)', () => {
    const m = planMatch(scim, { id: 'g1', externalId: 'jdoe', active: true });
    assert.ok(m.action === 'link');
    assert.deepEqual(m.patchOps, attributeOps);
  });

  it('corrects the case of our externalId and reactivates an inactive match', () => {
    const m = planMatch(scim, { id: 'g1', externalId: 'JDoe', active: false });
    assert.ok(m.action === 'link');
    assert.deepEqual(m.patchOps.slice(0, 2), [
      { op: 'replace', path: 'externalId', value: 'jdoe' },
      { op: 'replace', path: 'active', value: true },
    ]);
  });

  it('reports a conflict when the cloud user is linked to another CIC id, and sends nothing', () => {
    assert.deepEqual(planMatch(scim, { id: 'g1', externalId: 'someone-else', active: true }), {
      action: 'conflict',
      genesysId: 'g1',
      reason: "Genesys Cloud user g1 (jane@example.com) is already linked to CIC user 'someone-else'",
    });
  });
});
