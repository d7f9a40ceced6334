import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/openapi.js';
import { packBuildTimeValue, unpackBuildTimeValue } from '../../functions/shared/build-time-values.js';

// A value compiled into a bundle is one esbuild argument, capped by Linux at 128 KiB.

describe('build-time values', () => {
  it('keeps a small value as it is', () => {
    expect(packBuildTimeValue('{"deployment":"demo"}')).toBe('{"deployment":"demo"}');
    expect(unpackBuildTimeValue('{"deployment":"demo"}')).toBe('{"deployment":"demo"}');
  });

  it('packs the OpenAPI document far below the argument limit and unpacks it exactly', () => {
    const document = JSON.stringify(buildOpenApiDocument());

    const packed = packBuildTimeValue(document);

    expect(packed.startsWith('gzip-base64:')).toBe(true);
    // As the define's string literal, which escapes nothing in base64.
    expect(JSON.stringify(packed).length).toBeLessThan(64 * 1024);
    expect(unpackBuildTimeValue(packed)).toBe(document);
  });

  it('leaves an absent value absent', () => {
    expect(unpackBuildTimeValue(undefined)).toBeUndefined();
  });
});
