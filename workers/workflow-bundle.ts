import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = join(__dirname, '..');
/** Everything the workflows may import from, so an edit anywhere there makes a new bundle. */
const sourceDirs = ['workflows', 'domain', 'activities', 'lib'];

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const dir of sourceDirs) {
    for (const file of (readdirSync(join(root, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort()) {
      hash.update(`${dir}/${file}\0`).update(readFileSync(join(root, dir, file)));
    }
  }
  hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The path of the bundled workflow code, built once per version of the sources and kept in
 * node_modules/.cache. Temporal's bundler (webpack) needs a few hundred MB while it runs, so it runs in a
 * child process: a worker that bundled in-process would carry that peak for the rest of its life.
 */
export function workflowBundlePath(): string {
  const dir = join(root, 'node_modules', '.cache', 'cloud-bridge');
  const path = join(dir, `workflows-${sourceHash()}.js`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(process.execPath, ['--import', 'tsx', __filename, path], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return path;
}

async function writeBundle(path: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: (m: string) => process.stderr.write(`[bundler] ${m}\n`), error: (m: string) => process.stderr.write(`[bundler] ${m}\n`) },
  });
  // Written aside and renamed, so a process starting meanwhile never reads half a bundle.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, code);
  renameSync(partial, path);
}

if (require.main === module) {
  writeBundle(process.argv[2]).catch((err) => {
    process.stderr.write(`workflow bundle failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
