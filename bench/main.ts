/**
 * `npm run bench -- <name> [args]`: runs one benchmark and prints its result as the last line, one JSON
 * object. Benchmarks that need PostgreSQL, Redis and Temporal get them from `npm run bench`'s stack.
 */
const benches: Record<string, () => Promise<{ run(args: string[]): Promise<Record<string, unknown>> }>> = {
  simulators: () => import('./simulators'),
  provisioning: () => import('./provisioning'),
  'provisioning-budget': () => import('./provisioning-budget'),
  sso: () => import('./sso'),
  presence: () => import('./presence'),
  conduit: () => import('./conduit'),
};

async function main() {
  const [name, ...args] = process.argv.slice(2);
  const load = benches[name];
  if (!load) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [args]\n`);
    process.exit(2);
  }
  const result = await (await load()).run(args);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
