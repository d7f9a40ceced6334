import type {
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import * as z from 'zod';
import type { GatewayResponseKind } from '../../functions/shared/http/gateway-responses.js';
import type { LocalLog } from '../local-log.js';
import type { AuthorizerSettings } from '../topology/model.js';
import type { RequestParts } from './proxy-event.js';
import { type ApiRoute, methodArn } from './routes.js';

// The REQUEST authorizer as API Gateway runs it: identity sources checked before the call, the
// returned policy cached per identity-source value and evaluated like IAM, the context handed on.

const PolicyStatementSchema = z.looseObject({
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string())]).optional(),
  Resource: z.union([z.string(), z.array(z.string())]).optional(),
});
type PolicyStatement = z.infer<typeof PolicyStatementSchema>;

const AuthorizerResultSchema = z.looseObject({
  principalId: z.string().min(1),
  policyDocument: z.looseObject({
    Statement: z.union([PolicyStatementSchema, z.array(PolicyStatementSchema)]),
  }),
  context: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullish(),
});
type AuthorizerResult = z.infer<typeof AuthorizerResultSchema>;

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(value);
}

/** IAM evaluation as API Gateway applies it to an authorizer's policy: an explicit Deny wins. */
export function evaluatePolicy(statements: PolicyStatement[], arn: string): 'Allow' | 'Deny' {
  const applies = (s: PolicyStatement) => {
    const actions = [s.Action ?? []].flat();
    const resources = [s.Resource ?? []].flat();
    return (
      actions.some((a) => globMatches(a, 'execute-api:Invoke')) && resources.some((r) => globMatches(r, arn))
    );
  };
  const matching = statements.filter(applies);
  if (matching.some((s) => s.Effect === 'Deny')) return 'Deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'Allow' : 'Deny';
}

export type Authorization =
  | { outcome: 'allow'; context: Record<string, string | number | null> }
  | { outcome: 'gateway-response'; kind: GatewayResponseKind; cached?: boolean };

export interface AuthorizationRequest {
  route: ApiRoute;
  path: string;
  parts: RequestParts;
  pathParameters: Record<string, string> | null;
  requestContext: APIGatewayEventRequestContextWithAuthorizer<undefined>;
}

export interface AuthorizerOptions {
  settings: AuthorizerSettings;
  region: string;
  /** The authorizer function; its failure with exactly "Unauthorized" means 401. */
  invoke(event: APIGatewayRequestAuthorizerEvent): Promise<unknown>;
  log: LocalLog;
}

export function createAuthorizer(
  options: AuthorizerOptions,
): (request: AuthorizationRequest) => Promise<Authorization> {
  const { region, log } = options;
  const headerSources = options.settings.identitySources.map((source) => {
    const header = /^method\.request\.header\.(.+)$/.exec(source)?.[1];
    return header?.toLowerCase();
  });
  // API Gateway caches the authorizer's policy per identity-source value and evaluates the cached
  // policy against later requests' method ARNs: a policy scoped to one method would deny the next
  // route for the TTL. Local mode caches the same way so that mistake shows here too.
  const cache = new Map<string, { expires: number; result: AuthorizerResult }>();
  const ttlMs = options.settings.resultTtlSeconds * 1000;

  return async ({ route, path, parts, pathParameters, requestContext }) => {
    // API Gateway answers 401 without calling the authorizer when an identity source is missing.
    const identityValues: string[] = [];
    for (const header of headerSources) {
      if (!header) continue;
      const value = Object.entries(parts.headers).find(([k]) => k.toLowerCase() === header)?.[1];
      if (!value) return { outcome: 'gateway-response', kind: 'UNAUTHORIZED' };
      identityValues.push(value);
    }
    const cacheKey = JSON.stringify(identityValues);
    const cached = ttlMs > 0 && headerSources.some(Boolean) ? cache.get(cacheKey) : undefined;
    const arn = methodArn(region, route.method, path);
    const event: APIGatewayRequestAuthorizerEvent = {
      type: 'REQUEST',
      methodArn: arn,
      resource: route.path,
      path,
      httpMethod: route.method,
      headers: parts.headers,
      multiValueHeaders: parts.multiValueHeaders,
      pathParameters,
      queryStringParameters: parts.queryStringParameters,
      multiValueQueryStringParameters: parts.multiValueQueryStringParameters,
      stageVariables: null,
      requestContext,
    };
    let policy: AuthorizerResult;
    const fromCache = cached !== undefined && cached.expires > Date.now();
    if (cached && fromCache) {
      policy = cached.result;
    } else {
      let raw: unknown;
      try {
        raw = await options.invoke(event);
      } catch (error) {
        // The documented way for a Lambda authorizer to say 401 is to fail with exactly "Unauthorized".
        if (error instanceof Error && error.message === 'Unauthorized') {
          return { outcome: 'gateway-response', kind: 'UNAUTHORIZED' };
        }
        log.error('authorize-client failed (AUTHORIZER_FAILURE)', error);
        return { outcome: 'gateway-response', kind: 'DEFAULT_5XX' };
      }
      const result = AuthorizerResultSchema.safeParse(raw);
      if (!result.success) {
        log.error('authorize-client returned no valid policy (AUTHORIZER_CONFIGURATION_ERROR)');
        return { outcome: 'gateway-response', kind: 'DEFAULT_5XX' };
      }
      policy = result.data;
      if (ttlMs > 0) cache.set(cacheKey, { expires: Date.now() + ttlMs, result: policy });
    }
    const statements = [policy.policyDocument.Statement].flat();
    if (evaluatePolicy(statements, arn) === 'Deny') {
      return { outcome: 'gateway-response', kind: 'ACCESS_DENIED', cached: fromCache };
    }
    // API Gateway hands the context on with numbers and booleans as strings, plus principalId.
    const context: Record<string, string | number | null> = { principalId: policy.principalId };
    for (const [key, value] of Object.entries(policy.context ?? {})) {
      context[key] = value === null ? null : String(value);
    }
    return { outcome: 'allow', context };
  };
}
