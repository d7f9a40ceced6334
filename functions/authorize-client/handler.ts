import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { toAuthorizerContext } from '../shared/http/client-context.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent, logger } from '../shared/logger.js';
import type { ClientDirectory } from '../shared/ports/client-directory.js';
import { authorizeClient } from './authorize-client.js';

export interface AuthorizeClientDeps {
  clients: ClientDirectory;
}

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

export const makeHandler = (deps: AuthorizeClientDeps) =>
  middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .handler(async (event) => {
      const authorization = Object.entries(event.headers ?? {}).find(
        ([k]) => k.toLowerCase() === 'authorization',
      )?.[1];
      const client = await authorizeClient(deps, authorization ?? undefined);
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
    }) as unknown as (
    event: APIGatewayRequestAuthorizerEvent,
    context?: unknown,
  ) => Promise<APIGatewayAuthorizerResult>;
