import { DynamoDbAccessLog } from '../shared/adapters/dynamodb-access-log.js';
import { DynamoDbReferralStore } from '../shared/adapters/dynamodb-referral-store.js';
import { clock, documents, newId, once } from '../shared/dependencies.js';
import { loadEnv } from '../shared/env.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { getReferral, listReferrals, recordReferralEvent } from './track-referral.js';

const dependencies = once(() => {
  const env = loadEnv(['STATE_TABLE_NAME']);
  const client = documents(env);
  return {
    referrals: new DynamoDbReferralStore(client, env.STATE_TABLE_NAME),
    access: new DynamoDbAccessLog(client, env.STATE_TABLE_NAME, clock),
    now: clock,
    newId,
  };
});

export const handler = apiHandler({
  'GET /v1/referrals': async ({ client, user, query }) => ({
    status: 200,
    body: await listReferrals(dependencies(), { client, user, query }),
  }),
  'GET /v1/referrals/{id}': async ({ client, user, pathParameters }) => ({
    status: 200,
    body: await getReferral(dependencies(), { client, user, id: pathParameters.id }),
  }),
  'POST /v1/referrals/{id}/events': async ({ client, user, pathParameters, body }) => ({
    status: 200,
    body: await recordReferralEvent(dependencies(), { client, user, id: pathParameters.id, body }),
  }),
});
