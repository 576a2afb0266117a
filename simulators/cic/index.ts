import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../../lib/logger';
import { startAdminServer } from './admin';
import { generateDirectory, type DirectoryOptions } from './directory';
import { InteractionStore } from './interactions';
import { IcwsServer, SwitchoverRefused } from './server';
import { DirectoryStore } from './store';
import type { CicUserRecord } from './user-record';

export { generateDirectory, type DirectoryOptions } from './directory';
export { DirectoryStore, DirectoryError, type UserPatch, type UserStatus } from './store';
export { InteractionStore, type StartInteraction, type InteractionStage } from './interactions';
export { statusCatalog, type StatusMessage } from './status-catalog';
export { SwitchoverRefused, type IcwsServer } from './server';
export type { CicUserRecord, PersonalInformationProperties } from './user-record';

export interface CicSimulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  primaryPort?: number;
  backupPort?: number;
  adminPort?: number;
  /** The directory as given; otherwise generated from `directory`, otherwise 50 users from seed 1. */
  users?: CicUserRecord[];
  directory?: DirectoryOptions;
  pureCloudAdminPassword?: string;
  /** Passwords by user id; every other user's is `password`. */
  userPasswords?: Record<string, string>;
  /** Messages a session may have waiting before the server ends it. */
  messageQueueLimit?: number;
  pingIntervalMs?: number;
  sseRetryMs?: number;
  logger?: Logger;
}

export interface CicSimulatorPair {
  /** `primary` and `backup` follow the current roles, so they swap at a switchover. */
  urls: { readonly primary: string; readonly backup: string; readonly admin: string };
  servers: { a: IcwsServer; b: IcwsServer };
  /** The one CIC database both servers share. */
  directory: DirectoryStore;
  interactions: InteractionStore;
  /** Ends every session on the primary, then swaps roles. Refused while the backup is down. */
  switchover(): Promise<void>;
  /** Takes a server down (connections refused) or back up; `which` is a, b, primary or backup. */
  setServerUp(which: string, up: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Starts both ICWS servers of a switchover pair (the first as primary) and the admin API. */
export async function startCicSimulatorPair(opts: CicSimulatorOptions = {}): Promise<CicSimulatorPair> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger ?? createLogger('cic-simulator');
  const directory = new DirectoryStore({
    users: opts.users ?? generateDirectory(opts.directory ?? { count: 50, seed: 1 }),
    pureCloudAdminPassword: opts.pureCloudAdminPassword,
    userPasswords: opts.userPasswords,
  });
  const interactions = new InteractionStore(directory);
  const limits = {
    messageQueueLimit: opts.messageQueueLimit ?? 10_000,
    streamBufferLimit: 64 * 1024 * 1024,
    pingIntervalMs: opts.pingIntervalMs ?? 15_000,
    retryMs: opts.sseRetryMs ?? 5_000,
  };
  const common = { host, directory, interactions, limits, log };
  const a = new IcwsServer({ ...common, name: 'cic-a', port: opts.primaryPort ?? 0, role: 'primary' });
  const b = new IcwsServer({ ...common, name: 'cic-b', port: opts.backupPort ?? 0, role: 'backup' });
  a.peer = b;
  b.peer = a;
  try {
    await a.start();
    await b.start();
  } catch (err) {
    await Promise.all([a.close(), b.close()]);
    throw err;
  }

  const pick = (which: string): IcwsServer => {
    const found = { a, b, primary: a.role === 'primary' ? a : b, backup: a.role === 'primary' ? b : a }[
      which
    ];
    if (!found) throw new RangeError(`Unknown server '${which}': use a, b, primary or backup`);
    return found;
  };
  const switchover = async () => {
    const [from, to] = [pick('primary'), pick('backup')];
    if (!to.up) throw new SwitchoverRefused(`${to.name} is down; there is nothing to switch over to`);
    from.endAllSessions('A switchover occurred.');
    from.role = 'backup';
    to.role = 'primary';
    log.info({ primary: to.name, backup: from.name }, 'CIC switchover');
  };
  const setServerUp = async (which: string, up: boolean) => {
    const server = pick(which);
    if (up) await server.start();
    else await server.stop('The server went down.');
    log.info({ server: server.name, role: server.role, up }, 'CIC server availability changed');
  };

  let admin: Server;
  try {
    admin = await startAdminServer(
      { directory, interactions, servers: { a, b }, switchover, setServerUp },
      host,
      opts.adminPort ?? 0,
      log,
    );
  } catch (err) {
    await Promise.all([a.close(), b.close()]);
    throw err;
  }
  const adminUrl = `http://${host}:${(admin.address() as AddressInfo).port}`;
  log.info(
    { primary: a.url, backup: b.url, admin: adminUrl, users: directory.size },
    'CIC simulator pair started',
  );

  return {
    urls: {
      get primary() {
        return pick('primary').url;
      },
      get backup() {
        return pick('backup').url;
      },
      admin: adminUrl,
    },
    servers: { a, b },
    directory,
    interactions,
    switchover,
    setServerUp,
    async close() {
      interactions.stopAll();
      await Promise.all([a.close(), b.close()]);
      await new Promise<void>((resolve) => {
        admin.close(() => resolve());
        admin.closeAllConnections();
      });
    },
  };
}
