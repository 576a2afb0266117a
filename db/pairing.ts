import type { Db } from './database';

export interface PairingOptions {
  defaultCountry: string;
  massRemovalThreshold: number;
  reconcileIntervalSeconds: number;
  rateLimitPerMinute: number;
  serviceUserName: string;
  applyConcurrency: number;
  conduitEnabled: boolean;
  /** Workgroup queues the Conduit watches besides every user's own queue. */
  conduitWorkgroups: string[];
}

export const defaultPairingOptions: PairingOptions = {
  defaultCountry: 'US',
  massRemovalThreshold: 0.2,
  reconcileIntervalSeconds: 3600,
  rateLimitPerMinute: 300,
  serviceUserName: 'PureCloudAdmin',
  applyConcurrency: 64,
  conduitEnabled: false,
  conduitWorkgroups: [],
};

/** The stored pairing; secrets stay sealed here and are opened only where a call needs them. */
export interface StoredPairing {
  orgShortName: string;
  regionDomain: string | null;
  apiUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecretSealed: string;
  cicServers: string[];
  cicUserId: string;
  cicPasswordSealed: string;
  options: PairingOptions;
  createdAt: Date;
  /** When `bridge unpair` began stopping the pairing's workflows (only with `includeUnpairing`). */
  unpairingSince: Date | null;
}

/**
 * The pairing, if this bridge is paired. A pairing that is being unpaired counts as gone (queue workers drop
 * its changes, activities end its workflows) unless `includeUnpairing` asks for it, as unpair and pair do.
 */
export async function getPairing(db: Db, opts: { includeUnpairing?: boolean } = {}): Promise<StoredPairing | undefined> {
  let query = db.selectFrom('pairing').selectAll();
  if (!opts.includeUnpairing) query = query.where('unpairing_since', 'is', null);
  const row = await query.executeTakeFirst();
  return (
    row && {
      orgShortName: row.org_short_name,
      regionDomain: row.region_domain,
      apiUrl: row.api_url,
      loginUrl: row.login_url,
      clientId: row.client_id,
      clientSecretSealed: row.client_secret_enc,
      cicServers: row.cic_servers,
      cicUserId: row.cic_user_id,
      cicPasswordSealed: row.cic_password_enc,
      options: { ...defaultPairingOptions, ...(row.options as Partial<PairingOptions>) },
      createdAt: row.created_at,
      unpairingSince: row.unpairing_since,
    }
  );
}

export async function savePairing(db: Db, p: Omit<StoredPairing, 'createdAt' | 'unpairingSince'>): Promise<void> {
  const values = {
    id: 1,
    org_short_name: p.orgShortName,
    region_domain: p.regionDomain,
    api_url: p.apiUrl,
    login_url: p.loginUrl,
    client_id: p.clientId,
    client_secret_enc: p.clientSecretSealed,
    cic_servers: JSON.stringify(p.cicServers),
    cic_user_id: p.cicUserId,
    cic_password_enc: p.cicPasswordSealed,
    options: JSON.stringify(p.options),
    unpairing_since: null,
  };
  await db
    .insertInto('pairing')
    .values(values)
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
}

export async function deletePairing(db: Db): Promise<boolean> {
  const r = await db.deleteFrom('pairing').executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Marks the pairing as being unpaired (it counts as gone from now on); the first mark's time is kept. */
export async function markUnpairing(db: Db): Promise<Date | undefined> {
  const row = await db
    .updateTable('pairing')
    .set((eb) => ({ unpairing_since: eb.fn.coalesce('unpairing_since', eb.val(new Date())) }))
    .returning('unpairing_since')
    .executeTakeFirst();
  return row?.unpairing_since ?? undefined;
}
