import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffAttributes, findDrift, patchOpsFor } from '../../domain/scim-patch';
import type { DesiredScimUser } from '../../domain/user-mapping';

const base: DesiredScimUser = {
  externalId: 'jdoe',
  userName: 'jane@example.com',
  displayName: 'jdoe',
  emails: [{ type: 'work', value: 'jane@example.com', primary: true }],
  phoneNumbers: [
    { type: 'work', value: '+13175550100' },
    { type: 'work2', value: '+13175550101' },
  ],
  active: true,
};

describe('diffAttributes + patchOpsFor', () => {
  it('finds nothing when nothing changed', () => {
    assert.deepEqual(diffAttributes(base, structuredClone(base)), []);
  });

  it('replaces a display name added later in CIC', () => {
    const changes = diffAttributes(base, { ...base, displayName: 'Jane Doe' });
    assert.deepEqual(changes, [{ attribute: 'displayName', before: 'jdoe', after: 'Jane Doe' }]);
    assert.deepEqual(patchOpsFor(changes), [{ op: 'replace', path: 'displayName', value: 'Jane Doe' }]);
  });

  it('changes userName and the work email together', () => {
    const email = 'jane.doe@example.com';
    const changes = diffAttributes(base, {
      ...base,
      userName: email,
      emails: [{ type: 'work', value: email, primary: true }],
    });
    assert.deepEqual(patchOpsFor(changes), [
      { op: 'replace', path: 'userName', value: email },
      { op: 'replace', path: 'emails[type eq "work"].value', value: email },
    ]);
  });

  it('adds a new phone, replaces a changed one, removes a cleared one', () => {
    const after = {
      ...base,
      phoneNumbers: [
        { type: 'work' as const, value: '+13175550111' },
        { type: 'mobile' as const, value: '+442079460958' },
      ],
    };
    const changes = diffAttributes(base, after);
    assert.deepEqual(changes, [
      { attribute: 'phoneNumbers[type eq "work"].value', before: '+13175550100', after: '+13175550111' },
      { attribute: 'phoneNumbers[type eq "work2"].value', before: '+13175550101', after: null },
      { attribute: 'phoneNumbers[type eq "mobile"].value', before: null, after: '+442079460958' },
    ]);
    assert.deepEqual(patchOpsFor(changes), [
      { op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '+13175550111' },
      { op: 'remove', path: 'phoneNumbers[type eq "work2"]' },
      { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+442079460958' },
    ]);
  });

  it('treats an unknown last sync as everything new', () => {
    const ops = patchOpsFor(diffAttributes(undefined, base));
    assert.deepEqual(ops, [
      { op: 'replace', path: 'displayName', value: 'jdoe' },
      { op: 'replace', path: 'userName', value: 'jane@example.com' },
      { op: 'add', path: 'emails[type eq "work"].value', value: 'jane@example.com' },
      { op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '+13175550100' },
      { op: 'add', path: 'phoneNumbers[type eq "work2"].value', value: '+13175550101' },
    ]);
  });
});

describe('findDrift', () => {
  it('reports cloud-side edits against the last synced values', () => {
    const drift = findDrift(base, {
      userName: 'JANE@example.com',
      displayName: 'Janie',
      emails: [
        { type: 'other', value: 'jane@example.com' },
        { type: 'work', value: 'jane@example.com' },
      ],
      phoneNumbers: [
        { type: 'work', value: 'tel:+13175550100' },
        { type: 'home', value: '+13175550199' },
      ],
    });
    assert.deepEqual(drift, [
      { attribute: 'displayName', before: 'jdoe', after: 'Janie' },
      { attribute: 'phoneNumbers[type eq "work2"].value', before: '+13175550101', after: null },
      { attribute: 'phoneNumbers[type eq "home"].value', before: null, after: '+13175550199' },
    ]);
  });

  it('ignores phone types the bridge does not sync', () => {
    const drift = findDrift(
      { ...base, phoneNumbers: [] },
      {
        userName: base.userName,
        displayName: 'jdoe',
        emails: base.emails,
        phoneNumbers: [{ type: 'work3', value: '+1' }],
      },
    );
    assert.deepEqual(drift, []);
  });
});
