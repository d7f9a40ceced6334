import { DynamoDbSignalStore } from '../shared/adapters/dynamodb-signal-store.js';
import { SqsIntakeQueue, SqsTeamQueue } from '../shared/adapters/sqs-queues.js';
import { clock, documents, newId, once, pseudonymizer, sqs } from '../shared/dependencies.js';
import { loadEnv } from '../shared/env.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { getSignal } from './signal-view.js';
import { submitSignal } from './submit-signal.js';
import { withdrawSignal } from './withdraw-signal.js';

const dependencies = once(() => {
  const env = loadEnv(['STATE_TABLE_NAME', 'INTAKE_QUEUE_URL', 'DEPLOYMENT_NAME']);
  const signals = new DynamoDbSignalStore(documents(env), env.STATE_TABLE_NAME);
  return {
    signals,
    intake: new SqsIntakeQueue(sqs(env), env.INTAKE_QUEUE_URL),
    teams: new SqsTeamQueue(sqs(env), env.DEPLOYMENT_NAME),
    pseudonymizer: pseudonymizer(process.env),
    deployment: env.DEPLOYMENT_NAME,
    now: clock,
    newId,
  };
});

export const handler = apiHandler({
  'POST /v1/signals': async ({ client, user, body }) => {
    const result = await submitSignal(dependencies(), { client, user, body });
    return {
      status: 202,
      headers: { Location: `/v1/signals/${result.id}` },
      body: { id: result.id, status: result.status },
    };
  },
  'GET /v1/signals/{id}': async ({ client, pathParameters }) => ({
    status: 200,
    body: await getSignal(dependencies(), { client, id: pathParameters.id }),
  }),
  'POST /v1/signals/{id}/withdraw': async ({ client, user, pathParameters, body }) => ({
    status: 200,
    body: await withdrawSignal(dependencies(), { client, user, id: pathParameters.id, body }),
  }),
});
