// Facts of the v1 contract that the OpenAPI document, the handlers and the gateway share.

/** Semantic version of the API, in the `API-Version` header of every response (NL API Design Rules). */
export const API_VERSION = '1.0.0';

/** Largest request body accepted; larger gets 413 (API Gateway itself allows 10 MB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Most signals in one backlog submission (`POST /v1/signal-batches`). */
export const MAX_BATCH_ITEMS = 100;

/**
 * Largest body of a backlog submission. A submission at every schema limit with each character
 * written as a \u escape is about 16 KB, so 100 of them fit. Lambda takes at most 6 MB per
 * synchronous invocation, and API Gateway passes the body as a JSON string inside the event, where
 * each quote and backslash is escaped: 2 MiB can grow to 4 MiB there and still fits.
 */
export const MAX_BATCH_BODY_BYTES = 2 * 1024 * 1024;
