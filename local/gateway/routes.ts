import { type FunctionName, OPERATIONS } from '../../functions/registry.js';
import { LOCAL_ACCOUNT } from '../runtime/local-function.js';

// The REST API's resources and methods, one per declared operation as the CDK app creates them,
// and API Gateway's route matching on them.

export const LOCAL_STAGE = 'local';
export const LOCAL_API_ID = 'local';

export interface ApiRoute {
  method: string;
  /** API Gateway resource path, with {braces} for path parameters. */
  path: string;
  function: FunctionName;
  /** false only for public operations (the OpenAPI document). */
  authorized: boolean;
}

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  parameterNames: string[];
}

const COMPILED: CompiledRoute[] = OPERATIONS.map((operation) => {
  const route: ApiRoute = {
    method: operation.spec.method,
    path: operation.spec.path,
    function: operation.function,
    authorized: operation.spec.roles !== 'public',
  };
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
});

export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; pathParameters: Record<string, string> } | undefined {
  for (const { route, pattern, parameterNames } of COMPILED) {
    if (route.method !== method) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    parameterNames.forEach((name, i) => {
      pathParameters[name] = safeDecode(match[i + 1] ?? '');
    });
    return { route, pathParameters };
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The ARN an authorizer's policy is evaluated against, as API Gateway builds it. */
export function methodArn(region: string, method: string, path: string): string {
  return `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT}:${LOCAL_API_ID}/${LOCAL_STAGE}/${method}${path}`;
}
