import { gunzipSync, gzipSync } from 'node:zlib';

// Values compiled into a bundle (env.ts BUILD_TIME_KEYS) reach esbuild as one command-line
// argument each, which Linux caps at 128 KiB (MAX_ARG_STRLEN: the build fails with E2BIG). The
// OpenAPI document passed that; a deployment configuration with many teams would too. A large
// value is therefore compiled in gzipped (base64, marked), and unpacked once at cold start.

const PACKED = 'gzip-base64:';
/** Below this a value is compiled in as it is, readable in the bundle. */
const PACK_FROM_BYTES = 16 * 1024;

export function packBuildTimeValue(value: string): string {
  if (Buffer.byteLength(value, 'utf8') < PACK_FROM_BYTES) return value;
  return PACKED + gzipSync(value, { level: 9 }).toString('base64');
}

export function unpackBuildTimeValue(value: string | undefined): string | undefined {
  if (value === undefined || !value.startsWith(PACKED)) return value;
  return gunzipSync(Buffer.from(value.slice(PACKED.length), 'base64')).toString('utf8');
}
