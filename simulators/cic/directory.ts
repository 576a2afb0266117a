import { createPrng, type Prng } from './prng';
import {
  icwsDate,
  pureCloudAdminId,
  userUri,
  type CicUserRecord,
  type PersonalInformationProperties,
} from './user-record';
import {
  asciiFold,
  departments,
  givenNames,
  oddPhoneNumbers,
  surnames,
  titles,
  unicodePeople,
} from './directory-data';

export type { CicUserRecord } from './user-record';

export interface DirectoryOptions {
  /** Records in total, PureCloudAdmin included. */
  count: number;
  seed: number;
  noEmailShare?: number;
  duplicateEmailShare?: number;
  oddPhoneShare?: number;
  unicodeShare?: number;
  noDisplayNameShare?: number;
}

type PhoneKey = 'businessNumber' | 'business2Number' | 'mobileNumber' | 'homeNumber' | 'faxNumber';

const phoneShares: [PhoneKey, number][] = [
  ['businessNumber', 0.85],
  ['business2Number', 0.1],
  ['mobileNumber', 0.45],
  ['homeNumber', 0.15],
  ['faxNumber', 0.08],
];
const areaCodes = ['317', '212', '415', '312', '646', '617', '303', '206'];
const firstDay = Date.UTC(2015, 0, 1);
const lastDay = Date.UTC(2024, 5, 30);

/**
 * Builds a CIC directory that is the same for the same options. Every share is applied to an exact number of
 * users (rounded share × the users other than PureCloudAdmin), so tests and benchmarks can count on it.
 * Duplicate emails copy another user's address, half of them in a different letter case, because that is how
 * shared mailboxes show up in a real directory.
 */
export function generateDirectory(opts: DirectoryOptions): CicUserRecord[] {
  const rng = createPrng(opts.seed);
  const others = Math.max(0, Math.floor(opts.count) - 1);
  const exact = (share: number | undefined, fallback: number) => Math.round((share ?? fallback) * others);

  const emailOrder = rng.sample(others, others);
  const noEmail = new Set(emailOrder.slice(0, exact(opts.noEmailShare, 0.05)));
  const dupCount = Math.min(exact(opts.duplicateEmailShare, 0.01), others - noEmail.size);
  const duplicate = new Set(emailOrder.slice(noEmail.size, noEmail.size + dupCount));
  const oddPhone = new Set(rng.sample(others, exact(opts.oddPhoneShare, 0.1)));
  const unicode = new Set(rng.sample(others, exact(opts.unicodeShare, 0.1)));
  const noDisplayName = new Set(rng.sample(others, exact(opts.noDisplayNameShare, 0.05)));

  const records: CicUserRecord[] = [pureCloudAdmin()];
  const takenIds = new UniqueNames();
  takenIds.claim(pureCloudAdminId);
  const takenEmails = new UniqueNames();
  const emailOwners: number[] = [];

  for (let i = 0; i < others; i++) {
    const person = unicode.has(i) ? unicodePerson(rng, i) : asciiPerson(rng);
    const id = takenIds.claim(person.id);
    const pip: PersonalInformationProperties = { givenName: person.given, surname: person.surname };
    if (!noDisplayName.has(i)) pip.displayName = `${person.given} ${person.surname}`;
    if (!noEmail.has(i) && !duplicate.has(i)) {
      pip.emailAddress = uniqueEmail(person.emailLocal, rng, takenEmails);
      emailOwners.push(i + 1);
    }
    addPhones(rng, pip, oddPhone.has(i));
    pip.departmentName = rng.pick(departments);
    if (rng.chance(0.8)) pip.title = rng.pick(titles);
    const created = rng.int(firstDay, lastDay);
    records.push({
      configurationId: { id, displayName: pip.displayName ?? id, uri: userUri(id) },
      personalInformationProperties: pip,
      ...(rng.chance(0.9) ? { extension: String(1000 + i) } : {}),
      lastModifiedDate: icwsDate(new Date(rng.int(created, lastDay))),
      createdDate: icwsDate(new Date(created)),
    });
  }

  for (const i of duplicate) {
    const source = records[emailOwners.length > 0 ? rng.pick(emailOwners) : 0].personalInformationProperties;
    const email = source?.emailAddress ?? 'shared.mailbox@example.com';
    records[i + 1].personalInformationProperties!.emailAddress = rng.chance(0.5)
      ? capitalizeLocal(email)
      : email;
  }
  return records;
}

function pureCloudAdmin(): CicUserRecord {
  return {
    configurationId: { id: pureCloudAdminId, displayName: 'PureCloud Admin', uri: userUri(pureCloudAdminId) },
    personalInformationProperties: {
      givenName: 'PureCloud',
      surname: 'Admin',
      displayName: 'PureCloud Admin',
      emailAddress: 'purecloudadmin@example.com',
    },
    lastModifiedDate: icwsDate(new Date(firstDay)),
    createdDate: icwsDate(new Date(firstDay)),
  };
}

interface Person {
  given: string;
  surname: string;
  id: string;
  emailLocal: string;
}

function asciiPerson(rng: Prng): Person {
  const given = rng.pick(givenNames);
  const surname = rng.pick(surnames);
  const style = rng.next();
  const compact = surname.replace(/ /g, '');
  const id =
    style < 0.6
      ? `${given}.${compact}`.toLowerCase()
      : style < 0.9
        ? `${given[0]}${compact}`.toLowerCase()
        : `${given}${compact}`;
  return { given, surname, id, emailLocal: `${given}.${compact}`.toLowerCase() };
}

/** Half of the unicode users keep their name in the user id too, the rest get a folded ASCII id. */
function unicodePerson(rng: Prng, index: number): Person {
  const { given, surname } = rng.pick(unicodePeople);
  const folded = asciiFold(`${given}.${surname}`).toLowerCase();
  const foldable = /^[a-z.]+$/.test(folded);
  const emailLocal = foldable ? folded : `user${index + 1}`;
  const id = rng.chance(0.5)
    ? foldable
      ? `${given}.${surname}`.toLowerCase()
      : `${surname}${given}`
    : emailLocal;
  return { given, surname, id, emailLocal };
}

/** Remembers the next free suffix per base name; probing from 2 every time is quadratic on common names. */
class UniqueNames {
  private readonly taken = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();

  claim(base: string, suffixed: (n: number) => string = (n) => `${base}${n}`): string {
    const key = base.toLowerCase();
    if (!this.taken.has(key)) {
      this.taken.add(key);
      return base;
    }
    let n = this.nextSuffix.get(key) ?? 2;
    let name = suffixed(n++);
    while (this.taken.has(name.toLowerCase())) name = suffixed(n++);
    this.nextSuffix.set(key, n);
    this.taken.add(name.toLowerCase());
    return name;
  }
}

function uniqueEmail(local: string, rng: Prng, taken: UniqueNames): string {
  const domain = rng.chance(0.9) ? 'example.com' : 'corp.example.net';
  const email = taken.claim(`${local}@${domain}`, (n) => `${local}${n}@${domain}`);
  return rng.chance(0.03) ? capitalizeLocal(email) : email;
}

function capitalizeLocal(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.replace(/(^|\.)([a-z])/g, (_, dot: string, c: string) => dot + c.toUpperCase())}@${domain}`;
}

function addPhones(rng: Prng, pip: PersonalInformationProperties, odd: boolean): void {
  const present: PhoneKey[] = [];
  for (const [key, share] of phoneShares) {
    if (!rng.chance(share)) continue;
    const area = rng.pick(areaCodes);
    const line = `01${String(rng.int(0, 99)).padStart(2, '0')}`;
    pip[key] = rng.chance(0.5) ? `+1${area}555${line}` : `+1 ${area} 555 ${line}`;
    present.push(key);
  }
  if (odd) pip[present.length > 0 ? rng.pick(present) : 'businessNumber'] = rng.pick(oddPhoneNumbers);
}
