import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const domainDir = resolve(__dirname, '../../domain');
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s+'([^']+)'/g)].map(
    (m) => m[1],
  );
}

/** Every domain file reachable from index.ts through value (non-type) imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const specifiers = importsOf(file);
    seen.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith('.')) visit(join(dirname(file), `${s}.ts`));
  };
  visit(entry);
  return seen;
}

describe('domain/index.ts is safe for the Temporal workflow sandbox', () => {
  const graph = reachable(join(domainDir, 'index.ts'));

  it('does not reach content-hash.ts', () => {
    assert.equal(graph.has(join(domainDir, 'content-hash.ts')), false);
    assert.ok(graph.has(join(domainDir, 'user-diff.ts')));
  });

  it('imports no Node built-in, directly or indirectly', () => {
    for (const [file, specifiers] of graph) {
      for (const s of specifiers) assert.equal(builtins.has(s), false, `${file} imports ${s}`);
    }
  });
});
