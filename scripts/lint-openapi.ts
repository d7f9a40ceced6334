import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../functions/openapi.js';

// Lints the OpenAPI document the hub serves with Logius' NL API Design Rules ruleset (ADR 2.2,
// test/contract/api-design-rules.yaml) through @stoplight/spectral-cli. Any error fails `npm test`.

const dir = mkdtempSync(join(tmpdir(), 'schakel-openapi-'));
try {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(buildOpenApiDocument(), null, 2));
  const result = spawnSync(
    'spectral',
    ['lint', '--fail-severity=error', '--ruleset', 'test/contract/api-design-rules.yaml', file],
    { stdio: 'inherit' },
  );
  if (result.error) throw result.error;
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
