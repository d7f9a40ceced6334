import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { DynamoDbClientDirectory } from '../shared/adapters/dynamodb-client-directory.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { AUTHORIZE_CLIENT } from './declaration.js';
import type { AuthorizeClientDeps } from './handler.js';

export function productionDependencies(source: EnvSource = process.env): AuthorizeClientDeps {
  const env = loadEnv(AUTHORIZE_CLIENT.environment, source);
  return { clients: new DynamoDbClientDirectory(createDocumentClient(env), env.STATE_TABLE_NAME) };
}
