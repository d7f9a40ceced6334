import { DynamoDbAccessLog } from '../shared/adapters/dynamodb-access-log.js';
import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { DynamoDbStateStore } from '../shared/adapters/dynamodb-state-store.js';
import { pupilDataVaultFromEnv } from '../shared/adapters/encryption-sdk-vault.js';
import { createSqsClient } from '../shared/adapters/sqs-client.js';
import { SqsTeamQueue } from '../shared/adapters/sqs-queues.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock, deploymentConfig, newId } from '../shared/wiring.js';
import { TRACK_REFERRAL } from './declaration.js';
import type { TrackReferralDeps } from './track-referral.js';

export function productionDependencies(source: EnvSource = process.env): TrackReferralDeps {
  const env = loadEnv(TRACK_REFERRAL.environment, source);
  const documents = createDocumentClient(env);
  return {
    referrals: new DynamoDbStateStore(documents, env.STATE_TABLE_NAME),
    access: new DynamoDbAccessLog(documents, env.STATE_TABLE_NAME, clock),
    vault: pupilDataVaultFromEnv(env),
    config: deploymentConfig(env.SCHAKEL_DEPLOYMENT_CONFIG),
    teams: new SqsTeamQueue(createSqsClient(env), env.DEPLOYMENT_NAME),
    deployment: env.DEPLOYMENT_NAME,
    now: clock,
    newId,
  };
}
