import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Powertools reads POWERTOOLS_LOG_LEVEL once, when functions/shared/logger.ts is first loaded.
// start.ts sets the hub's default (WARN) and only then imports runtime/handlers.ts dynamically; a
// static import chain from start.ts to any handler module would load the logger first and flood
// the console with INFO lines. `import type` is erased; every other import loads its module.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;

function staticImportsOf(path: string): string[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return [...text.matchAll(STATIC_IMPORT)]
    .filter((match) => !match[1])
    .map((match) => relative(ROOT, resolve(ROOT, dirname(path), match[2] as string)).replace(/\.js$/, '.ts'));
}

function staticallyLoaded(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (seen.has(path) || !path.endsWith('.ts')) continue;
    seen.add(path);
    pending.push(...staticImportsOf(path));
  }
  return seen;
}

describe('the static imports of the local hub', () => {
  const loaded = staticallyLoaded('local/start.ts');

  it('reach the gateway, the event sources and the function registry (the walk sees the graph)', () => {
    expect([...loaded]).toEqual(
      expect.arrayContaining([
        'local/gateway/server.ts',
        'local/event-sources/sqs.ts',
        'local/event-sources/stream.ts',
        'local/runtime/local-function.ts',
        'functions/registry.ts',
      ]),
    );
  });

  it('never load a handler module or the Powertools logger before start.ts sets the log level', () => {
    const early = [...loaded].filter(
      (path) =>
        path === 'local/runtime/handlers.ts' || /^functions\/(shared\/logger|[^/]+\/handler)\.ts$/.test(path),
    );

    expect(early).toEqual([]);
  });

  it('would see the logger through runtime/handlers.ts, the module start.ts loads later', () => {
    expect(staticallyLoaded('local/runtime/handlers.ts')).toContain('functions/shared/logger.ts');
  });
});
