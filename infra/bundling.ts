// How every function is bundled (esbuild through NodejsFunction) and started. `npm run bench`
// builds the bundles with exactly these settings, so the sizes and start times it reports are
// those of what deploys.

export const BUNDLING = {
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require(); ESM output has no require of its own.
  banner:
    "import { createRequire as schakelCreateRequire } from 'node:module'; " +
    'const require = schakelCreateRequire(import.meta.url);',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // The SDK the runtime ships changes without notice; bundle the version the tests ran with.
  bundleAwsSDK: true,
} as const;

/**
 * NODE_OPTIONS of every function: none. `--enable-source-maps` made every cold start 4–25% slower
 * in `npm run bench`, and the functions log error names, never stacks; the .map files stay in
 * each asset, so a stack from the runtime can still be mapped to the TypeScript source offline.
 */
export const NODE_OPTIONS: string = '';

/** The option the bench measures against the deployed setting. */
export const SOURCE_MAPS_OPTION = '--enable-source-maps';
