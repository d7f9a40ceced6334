import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { DynamoDbClientDirectory } from '../shared/adapters/dynamodb-client-directory.js';
import { documents, once } from '../shared/dependencies.js';
import { loadEnv } from '../shared/env.js';
import { toAuthorizerContext } from '../shared/http/client-context.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import { authorizeClient } from './authorize-client.js';

const dependencies = once(() => {
  const env = loadEnv(['STATE_TABLE_NAME']);
  return { clients: new DynamoDbClientDirectory(documents(env), env.STATE_TABLE_NAME) };
});

/**
 * The policy covers every method of the stage: API Gateway caches an authorizer result per
 * Authorization header and reuses it for other routes. What a role may do is decided in the
 * functions (403/404), not here.
 */
function stageWildcard(methodArn: string): string {
  // arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path…>
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}

export const handler = async (
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => {
  const authorization = Object.entries(event.headers ?? {}).find(
    ([k]) => k.toLowerCase() === 'authorization',
  )?.[1];
  const client = await authorizeClient(dependencies(), authorization ?? undefined);
  if (!client) {
    logEvent(LOG_EVENTS.clientRejected, { hadHeader: authorization !== undefined });
    // This exact message makes API Gateway answer 401 (its UNAUTHORIZED gateway response).
    throw new Error('Unauthorized');
  }
  logEvent(LOG_EVENTS.clientAuthenticated, { clientId: client.clientId, role: client.role });
  return {
    principalId: client.clientId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) },
      ],
    },
    context: toAuthorizerContext(client),
  };
};
