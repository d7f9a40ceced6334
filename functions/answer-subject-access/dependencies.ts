import { DynamoDbAccessLog } from '../shared/adapters/dynamodb-access-log.js';
import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { DynamoDbPupilAuditTrail } from '../shared/adapters/dynamodb-pupil-audit-trail.js';
import { pseudonymizerFromEnv } from '../shared/adapters/hmac-pseudonymizer.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock, newId } from '../shared/wiring.js';
import type { AnswerSubjectAccessDeps } from './answer-subject-access.js';
import { ANSWER_SUBJECT_ACCESS } from './declaration.js';

export function productionDependencies(source: EnvSource = process.env): AnswerSubjectAccessDeps {
  const env = loadEnv(ANSWER_SUBJECT_ACCESS.environment, source);
  const documents = createDocumentClient(env);
  return {
    audit: new DynamoDbPupilAuditTrail(documents, env.AUDIT_TABLE_NAME),
    access: new DynamoDbAccessLog(documents, env.STATE_TABLE_NAME, clock),
    pseudonymizer: pseudonymizerFromEnv(env),
    now: clock,
    newId,
  };
}
