import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { DynamoDbStateStore } from '../shared/adapters/dynamodb-state-store.js';
import { pupilDataVaultFromEnv } from '../shared/adapters/encryption-sdk-vault.js';
import { pseudonymizerFromEnv } from '../shared/adapters/hmac-pseudonymizer.js';
import { createSqsClient } from '../shared/adapters/sqs-client.js';
import { SqsIntakeQueue, SqsTeamQueue } from '../shared/adapters/sqs-queues.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock, deploymentConfig, newId, teamNamesOf } from '../shared/wiring.js';
import { RECEIVE_SIGNAL } from './declaration.js';
import type { ReceiveSignalDeps } from './handler.js';

export function productionDependencies(source: EnvSource = process.env): ReceiveSignalDeps {
  const env = loadEnv(RECEIVE_SIGNAL.environment, source);
  const sqs = createSqsClient(env);
  return {
    signals: new DynamoDbStateStore(createDocumentClient(env), env.STATE_TABLE_NAME),
    intake: new SqsIntakeQueue(sqs, env.INTAKE_QUEUE_URL),
    teams: new SqsTeamQueue(sqs, env.DEPLOYMENT_NAME),
    pseudonymizer: pseudonymizerFromEnv(env),
    vault: pupilDataVaultFromEnv(env),
    deployment: env.DEPLOYMENT_NAME,
    teamNames: teamNamesOf(deploymentConfig(env.SCHAKEL_DEPLOYMENT_CONFIG)),
    now: clock,
    newId,
  };
}
