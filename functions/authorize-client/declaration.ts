import { declareFunction } from '../shared/declarations.js';

export const AUTHORIZE_CLIENT = declareFunction({
  name: 'authorize-client',
  description: 'API Gateway REQUEST authorizer: API key → client role and scope',
  // Runs before every uncached request: one GetItem. Short, so a stuck call fails fast as 5xx.
  timeoutSeconds: 5,
  memoryMb: 512,
  environment: ['STATE_TABLE_NAME'],
  access: { stateTable: 'read' },
  // API Gateway caches a decision per API key: a revoked key keeps working at most this long.
  trigger: { kind: 'authorizer', cacheTtlSeconds: 300 },
});
