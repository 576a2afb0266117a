import type { Command } from 'commander';
import { ConfigError, type Config } from '../lib/config';
import { createDb } from '../db/database';
import { rotateSecrets } from '../operations/secret-rotation';

/** `bridge secrets rotate`: moves every sealed value to the key in BRIDGE_SECRET_KEY. */
export function addSecretsCommands(program: Command, config: () => Config): void {
  const secrets = program.command('secrets').description('the key that seals stored secrets');
  secrets
    .command('rotate')
    .description(
      're-seal every stored secret with BRIDGE_SECRET_KEY (the new key), opening them with BRIDGE_SECRET_KEY_PREVIOUS (the old one); run it with the workers given both keys, then drop the old one',
    )
    .action(async () => {
      const cfg = config();
      if (!cfg.secretKey) throw new ConfigError('secrets rotate: set BRIDGE_SECRET_KEY to the new key and BRIDGE_SECRET_KEY_PREVIOUS to the old one');
      const db = createDb({ databaseUrl: cfg.databaseUrl, schema: cfg.databaseSchema, max: 1 });
      try {
        const r = await rotateSecrets(db, { schema: cfg.databaseSchema, secretKey: cfg.secretKey, previous: cfg.secretKeyPrevious });
        for (const c of r.columns) console.log(`${c.column}: ${c.resealed} re-sealed, ${c.alreadyCurrent} already under key ${r.keyId}`);
        console.log(`every stored secret is now sealed with key ${r.keyId}; BRIDGE_SECRET_KEY_PREVIOUS can be removed`);
      } finally {
        await db.destroy();
      }
    });
}
