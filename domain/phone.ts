import {
  ParseError,
  isSupportedCountry,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js';

export type { CountryCode };

export type PhoneResult = { ok: true; value: string } | { ok: false; reason: string };

const parseErrorReasons: Record<string, string> = {
  NOT_A_NUMBER: 'not a phone number',
  INVALID_COUNTRY: 'unknown country calling code',
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'wrong number of digits',
};

/** True when `code` is an ISO 3166-1 alpha-2 code libphonenumber has a numbering plan for. */
export function isCountryCode(code: string): code is CountryCode {
  return isSupportedCountry(code);
}

/**
 * Genesys Cloud accepts only E.164 or a `tel:` URI, so every CIC dial string goes through here. The `tel:`
 * form is used only when an extension must be carried, because E.164 has no place for one.
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode): PhoneResult {
  const input = raw.trim();
  if (input === '') return { ok: false, reason: 'empty' };
  try {
    const parsed = parsePhoneNumberWithError(input, defaultCountry);
    if (!parsed.isValid()) {
      const length = validatePhoneNumberLength(input, defaultCountry);
      const reason = length ? parseErrorReasons[length] : undefined;
      return { ok: false, reason: reason ?? 'not a number in use in its numbering plan' };
    }
    return { ok: true, value: parsed.ext ? parsed.getURI() : parsed.number };
  } catch (err) {
    if (err instanceof ParseError)
      return { ok: false, reason: parseErrorReasons[err.message] ?? err.message };
    return { ok: false, reason: 'not a phone number' };
  }
}
