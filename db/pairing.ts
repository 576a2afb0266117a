import type { Db } from './database';

export interface PairingOptions {
  defaultCountry: string;
  massRemovalThreshold: number;
  reconcileIntervalSeconds: number;
  rateLimitPerMinute: number;
  serviceUserName: string;
  applyConcurrency: number;
  conduitEnabled: boolean;
}

export const defaultPairingOptions: PairingOptions = {
  defaultCountry: 'US',
  massRemovalThreshold: 0.2,
  reconcileIntervalSeconds: 3600,
  rateLimitPerMinute: 300,
  serviceUserName: 'PureCloudAdmin',
  applyConcurrency: 64,
  conduitEnabled: false,
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
}

export async function getPairing(db: Db): Promise<StoredPairing | undefined> {
  const row = await db.selectFrom('pairing').selectAll().executeTakeFirst();
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
    }
  );
}

export async function savePairing(db: Db, p: Omit<StoredPairing, 'createdAt'>): Promise<void> {
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
