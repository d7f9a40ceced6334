import { unpackBuildTimeValue } from '../shared/build-time-values.js';
import { ConfigurationError } from '../shared/errors.js';
import type { ServeOpenApiDeps } from './handler.js';

/**
 * The document is compiled into the bundle (the literal `process.env.SCHAKEL_OPENAPI_DOCUMENT` is
 * replaced at build time, see env.ts); read without the zod-based env loader to keep zod out.
 */
export function productionDependencies(
  source: Readonly<Record<string, string | undefined>> = {
    SCHAKEL_OPENAPI_DOCUMENT: unpackBuildTimeValue(process.env.SCHAKEL_OPENAPI_DOCUMENT),
  },
): ServeOpenApiDeps {
  const document = source.SCHAKEL_OPENAPI_DOCUMENT;
  if (!document?.startsWith('{'))
    throw new ConfigurationError('invalid environment — SCHAKEL_OPENAPI_DOCUMENT: missing');
  return { document };
}
