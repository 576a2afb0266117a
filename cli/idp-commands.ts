import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../lib/config';
import { openCliContext, type CliContext } from './context';
import { idpStatus, requestLinkProof, rotateSigningKey } from '../operations/sso';
import { requireSecretKey } from './errors';

type ConfigFn = () => Config;

async function withContext<T>(config: ConfigFn, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = await openCliContext(config());
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** The SAML identity provider: keys, their rotation, and the proof of links. */
export function addIdpCommands(program: Command, config: ConfigFn): void {
  const idp = program.command('idp').description('the bridge as SAML identity provider for the organization');
  const deps = (ctx: CliContext) => ({ db: ctx.db, temporal: ctx.temporal, taskQueue: ctx.config.taskQueue, secretKey: ctx.config.secretKey });

  idp
    .command('status')
    .description('signing keys with their expiry, the registration with the org, and links by SSO state')
    .action(async () => withContext(config, async (ctx) => console.log(JSON.stringify(await idpStatus(ctx), null, 2))));

  idp
    .command('rotate-key')
    .description('make the next signing key, register it beside the current one, then switch to it')
    .action(async () =>
      withContext(() => requireSecretKey(config()), async (ctx) => {
        const r = await rotateSigningKey(deps(ctx), undefined, { onProgress: (p) => process.stderr.write(`\r${p.state}…`) });
        console.log(`\nsigning with key ${r.switchedTo}; the previous certificate stays registered`);
      }),
    );

  idp
    .command('import-key')
    .description('use an existing RSA key and certificate (PEM files); registered, then switched to, like a rotation')
    .requiredOption('--key <file>', 'PEM private key (RSA, 2048 bits or more)')
    .requiredOption('--cert <file>', 'PEM certificate for that key')
    .action(async (o: { key: string; cert: string }) =>
      withContext(() => requireSecretKey(config()), async (ctx) => {
        const material = { privateKeyPem: readFileSync(o.key, 'utf8'), certificatePem: readFileSync(o.cert, 'utf8') };
        const r = await rotateSigningKey(deps(ctx), material);
        console.log(`signing with the imported key ${r.switchedTo}`);
      }),
    );

  idp
    .command('verify-links')
    .description('send the backfill signal: prove every link again by SAML2-bearer exchange')
    .action(async () => withContext(config, async (ctx) => console.log(`backfill signal sent to ${await requestLinkProof(deps(ctx))}`)));
}
