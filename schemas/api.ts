// Facts of the v1 contract that the OpenAPI document, the handlers and the gateway share.

/** Semantic version of the API, in the `API-Version` header of every response (NL API Design Rules). */
export const API_VERSION = '1.0.0';

/** Largest request body accepted; larger gets 413 (API Gateway itself allows 10 MB). */
export const MAX_BODY_BYTES = 64 * 1024;
