import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { DynamoDbStateStore } from '../shared/adapters/dynamodb-state-store.js';
import { createSqsClient } from '../shared/adapters/sqs-client.js';
import { SqsTeamQueue } from '../shared/adapters/sqs-queues.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock, deploymentConfig } from '../shared/wiring.js';
import { FOLLOW_SIGNALS } from './declaration.js';
import type { FollowSignalsDeps } from './follow-signals.js';

export function productionDependencies(source: EnvSource = process.env): FollowSignalsDeps {
  const env = loadEnv(FOLLOW_SIGNALS.environment, source);
  return {
    signals: new DynamoDbStateStore(createDocumentClient(env), env.STATE_TABLE_NAME),
    teams: new SqsTeamQueue(createSqsClient(env), env.DEPLOYMENT_NAME),
    config: deploymentConfig(env.SCHAKEL_DEPLOYMENT_CONFIG),
    deployment: env.DEPLOYMENT_NAME,
    now: clock,
  };
}
