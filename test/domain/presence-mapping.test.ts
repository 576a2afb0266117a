import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  explainPresence,
  knownSystemPresenceIds,
  presenceForStatus,
  presenceForUserStatus,
  presenceOverridesSchema,
  resolvePresenceDefinitionId,
  systemPresences,
  type CicStatusMessage,
} from '../../domain/presence-mapping';

// Standard CIC statuses with the flags a default install gives them (ids as ICWS reports them).
const standard: [CicStatusMessage, string][] = [
  [
    { statusId: 'Available', messageText: 'Available', groupTag: 'Available', isAcdStatus: true },
    'Available',
  ],
  [{ statusId: 'Available, No ACD', messageText: 'Available No ACD', groupTag: 'Available' }, 'Available'],
  [{ statusId: 'Available Remote', messageText: 'Available Remote', isAcdStatus: true }, 'Available'],
  [{ statusId: 'Away from desk', messageText: 'Away From Desk', groupTag: 'Away' }, 'Away'],
  [{ statusId: 'At Lunch', messageText: 'At Lunch', groupTag: 'Lunch' }, 'Meal'],
  [{ statusId: 'Do Not Disturb', messageText: 'Do Not Disturb', isDoNotDisturbStatus: true }, 'Busy'],
  [{ statusId: 'Follow Up', messageText: 'Follow Up', isAfterCallWorkStatus: true }, 'Busy'],
  [{ statusId: 'AcdAgentNotAnswering', messageText: 'ACD - Agent Not Answering' }, 'Away'],
  [{ statusId: 'At a Training Session', messageText: 'At a Training Session' }, 'Training'],
  [{ statusId: 'In a Meeting', messageText: 'In a meeting', isDoNotDisturbStatus: true }, 'Meeting'],
  [{ statusId: 'Gone Home', messageText: 'Gone Home' }, 'Offline'],
  [{ statusId: 'On Vacation', messageText: 'On Vacation' }, 'Offline'],
  [{ statusId: 'Out of the Office', messageText: 'Out of the Office' }, 'Away'],
  [{ statusId: 'Working at Home', messageText: 'Working at Home' }, 'Available'],
  [{ statusId: 'Out of Town', messageText: 'Out of Town' }, 'Away'],
  [{ statusId: 'At Play', messageText: 'At Play' }, 'Break'],
];

describe('presenceForStatus: default table', () => {
  for (const [status, expected] of standard) {
    it(`${status.messageText} → ${expected}`, () => {
      assert.equal(presenceForStatus(status), expected);
      assert.equal(presenceForStatus({ statusId: status.messageText! }), expected, 'by display text as id');
    });
  }

  it('recognises a standard status by its text when the id is site-specific', () => {
    assert.equal(presenceForStatus({ statusId: 'xyz-17', messageText: 'At Lunch' }), 'Meal');
  });

  it('maps custom statuses from group and flags', () => {
    assert.equal(presenceForStatus({ statusId: 'Coffee', groupTag: 'Break' }), 'Break');
    assert.equal(
      presenceForStatus({ statusId: 'Team lunch', groupTag: 'Lunch', isDoNotDisturbStatus: true }),
      'Meal',
    );
    assert.equal(presenceForStatus({ statusId: 'Coaching', groupTag: 'Training' }), 'Training');
    assert.equal(presenceForStatus({ statusId: '1:1', groupTag: 'Meeting' }), 'Meeting');
    assert.equal(presenceForStatus({ statusId: 'Sick', groupTag: 'Gone' }), 'Offline');
    assert.equal(
      presenceForStatus({ statusId: 'Focus', groupTag: 'Available', isDoNotDisturbStatus: true }),
      'Busy',
    );
    assert.equal(presenceForStatus({ statusId: 'Wrap', isAfterCallWorkStatus: true }), 'Busy');
    assert.equal(presenceForStatus({ statusId: 'Sales queue', groupTag: 'Available' }), 'Available');
    assert.equal(presenceForStatus({ statusId: 'Phones', isAcdStatus: true }), 'Available');
    assert.equal(presenceForStatus({ statusId: 'Stepped out', groupTag: 'Away' }), 'Away');
    assert.equal(presenceForStatus({ statusId: 'Something else' }), 'Away');
  });

  it('explains which rule decided', () => {
    assert.deepEqual(explainPresence({ statusId: 'Wrap', isAfterCallWorkStatus: true }), {
      presence: 'Busy',
      because: 'after-call-work status',
    });
    assert.equal(explainPresence({ statusId: 'Available' }).because, 'standard CIC status');
  });

  it('never picks On Queue or Idle by default', () => {
    const all = [...standard.map(([s]) => s), { statusId: 'q', isAcdStatus: true }];
    for (const s of all) assert.ok(!['On Queue', 'Idle'].includes(presenceForStatus(s)));
  });
});

describe('overrides', () => {
  it('win over every default rule, matched case-insensitively by status id', () => {
    const overrides = { available: 'On Queue', 'DO NOT DISTURB': 'Idle', Coffee: 'Meal' } as const;
    assert.equal(presenceForStatus({ statusId: 'Available', isAcdStatus: true }, overrides), 'On Queue');
    assert.equal(
      presenceForStatus({ statusId: 'Do Not Disturb', isDoNotDisturbStatus: true }, overrides),
      'Idle',
    );
    assert.equal(presenceForStatus({ statusId: 'coffee', groupTag: 'Break' }, overrides), 'Meal');
    assert.equal(presenceForStatus({ statusId: 'At Lunch' }, overrides), 'Meal');
  });

  it('are validated against the system presences', () => {
    assert.equal(presenceOverridesSchema.safeParse({ Available: 'On Queue' }).success, true);
    assert.equal(presenceOverridesSchema.safeParse({ Available: 'Lunch' }).success, false);
  });
});

describe('presenceForUserStatus', () => {
  const catalog: CicStatusMessage[] = [
    { statusId: 'Available', isAcdStatus: true },
    { statusId: 'Focus', groupTag: 'Available', isDoNotDisturbStatus: true },
  ];

  it('maps logged-out users to Offline whatever their status', () => {
    assert.equal(presenceForUserStatus({ statusId: 'Available', loggedIn: false }, catalog), 'Offline');
    assert.equal(presenceForUserStatus({ statusId: null, loggedIn: true }, catalog), 'Offline');
  });

  it('looks the status up case-insensitively in the catalog', () => {
    assert.equal(presenceForUserStatus({ statusId: 'FOCUS', loggedIn: true }, catalog), 'Busy');
  });

  it('still maps a status missing from the catalog by its id', () => {
    assert.equal(presenceForUserStatus({ statusId: 'Gone Home', loggedIn: true }, catalog), 'Offline');
  });
});

describe('system presences', () => {
  it('has the ten Genesys system presences with the ids of reference §5.1', () => {
    assert.deepEqual([...systemPresences].sort(), Object.keys(knownSystemPresenceIds).sort());
    assert.equal(knownSystemPresenceIds.Busy, '31fe3bac-dea6-44b7-bed7-47f91660a1a0');
    assert.equal(knownSystemPresenceIds['On Queue'], 'e08eaf1b-ee47-4fa9-a231-1200e284798f');
  });

  it('resolves the org definition id at runtime, preferring the primary one', () => {
    const definitions = [
      { id: 'custom-meal', systemPresence: 'Meal', type: 'User' },
      { id: 'old-meal', systemPresence: 'MEAL', type: 'System', deactivated: true },
      { id: 'meal', systemPresence: 'MEAL', type: 'System' },
      { id: 'queue', systemPresence: 'ON_QUEUE', type: 'System' },
    ];
    assert.equal(resolvePresenceDefinitionId('Meal', definitions), 'meal');
    assert.equal(resolvePresenceDefinitionId('On Queue', definitions), 'queue');
    assert.equal(resolvePresenceDefinitionId('Break', definitions), undefined);
    assert.equal(resolvePresenceDefinitionId('Meal', definitions.slice(0, 2)), 'custom-meal');
  });
});
