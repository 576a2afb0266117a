import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCountryCode, normalisePhone } from '../../domain/phone';

describe('normalisePhone', () => {
  const ok = (raw: string, value: string, country: 'US' | 'GB' = 'US') =>
    assert.deepEqual(normalisePhone(raw, country), { ok: true, value });

  it('turns national numbers into E.164 using the default country', () => {
    ok('(317) 555-0100', '+13175550100');
    ok('3175550100', '+13175550100');
    ok('020 7946 0958', '+442079460958', 'GB');
  });

  it('keeps an extension as a tel: URI', () => {
    ok('317.555.0101 x23', 'tel:+13175550101;ext=23');
    ok('+1 (317) 555-0100 ext. 5', 'tel:+13175550100;ext=5');
  });

  it('accepts international and tel: input whatever the default country', () => {
    ok('+44 20 7946 0958', '+442079460958');
    ok('tel:+1-317-555-0100', '+13175550100');
    ok('tel:+13175550101;ext=23', 'tel:+13175550101;ext=23');
    ok('  +1 317 555 0100  ', '+13175550100');
  });

  it('rejects a local number without area code as too short', () => {
    assert.deepEqual(normalisePhone('555-0102', 'US'), { ok: false, reason: 'too short' });
  });

  it('rejects text, empty input and numbers outside the numbering plan', () => {
    assert.deepEqual(normalisePhone('garbage-abc', 'US'), { ok: false, reason: 'not a phone number' });
    assert.deepEqual(normalisePhone('', 'US'), { ok: false, reason: 'empty' });
    assert.deepEqual(normalisePhone('   ', 'US'), { ok: false, reason: 'empty' });
    assert.deepEqual(normalisePhone('+1 555 555 5555', 'US'), {
      ok: false,
      reason: 'not a number in use in its numbering plan',
    });
    assert.equal(normalisePhone('+0 123', 'US').ok, false);
    assert.equal(normalisePhone('3175550100000000', 'US').ok, false);
  });

  it('never throws, even on odd input', () => {
    for (const raw of ['+', 'tel:', ';ext=1', '\u0000', 'x'.repeat(300), '١٢٣']) {
      assert.equal(typeof normalisePhone(raw, 'US').ok, 'boolean');
    }
  });
});

describe('isCountryCode', () => {
  it('knows ISO country codes', () => {
    assert.equal(isCountryCode('US'), true);
    assert.equal(isCountryCode('GB'), true);
    assert.equal(isCountryCode('XX'), false);
  });
});
