import * as z from 'zod/mini';
import { declareFunction, operations } from '../shared/declarations.js';

export const SERVE_OPENAPI_OPERATIONS = operations({
  getOpenApi: {
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This document',
    description:
      'The OpenAPI 3.1 description of this API, generated from the same schemas that validate requests. Public: no API key needed.',
    roles: 'public',
    responses: {
      200: {
        description: 'The OpenAPI document.',
        schema: z.looseObject({ openapi: z.string() }).register(z.globalRegistry, { id: 'OpenApiDocument' }),
      },
    },
  },
});

export const SERVE_OPENAPI = declareFunction({
  name: 'serve-openapi',
  description: 'Publishes the OpenAPI document generated from the operation declarations',
  timeoutSeconds: 5,
  memoryMb: 256,
  environment: ['SCHAKEL_OPENAPI_DOCUMENT'],
  access: {},
  trigger: { kind: 'api', operations: SERVE_OPENAPI_OPERATIONS },
});
