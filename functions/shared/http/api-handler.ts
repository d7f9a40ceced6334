import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { API_VERSION, MAX_BODY_BYTES } from '../../catalog.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { LOG_EVENTS } from '../log-events.js';
import { logEvent, logger } from '../logger.js';
import { AuthorizerContextSchema, type Client } from './client-context.js';
import { STANDARD_HEADERS } from './gateway-responses.js';
import { problemFor } from './problem.js';

export interface ApiRequest {
  client: Client;
  pathParameters: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** Parsed JSON body; undefined when the request has none. */
  body: unknown;
  /** Optional individual user id the calling system passes for the audit (NEN 7513 "who"). */
  user: string | undefined;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: ApiRequest) => Promise<ApiResult>;

/** Routes keyed `METHOD /resource/{param}` exactly as API Gateway's `resource` names them. */
export type Routes = Record<string, RouteHandler>;

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value ?? undefined;
  }
  return undefined;
}

function parseBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The request body exceeds ${MAX_BODY_BYTES} bytes.`);
  }
  const contentType = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json' && !contentType?.endsWith('+json')) {
    throw new UnsupportedMediaTypeError('Send the body as application/json.');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError(
      [{ name: '(body)', reason: 'is not valid JSON' }],
      'The body is not valid JSON.',
    );
  }
}

const USER_PATTERN = /^[A-Za-z0-9._@:-]{1,100}$/;

/**
 * Binds routes to an API Gateway proxy handler: authorizer context, body checks, and the one
 * mapping from errors to problem+json. Logs route templates and statuses, never paths or bodies.
 */
export function apiHandler(routes: Routes) {
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    if (context) logger.addContext(context);
    const started = Date.now();
    const route = `${event.httpMethod} ${event.resource}`;
    let response: APIGatewayProxyResult;
    try {
      const handle = routes[route];
      if (!handle) throw new Error(`no handler for ${route}`);
      const parsedContext = AuthorizerContextSchema.safeParse(event.requestContext?.authorizer ?? {});
      if (!parsedContext.success)
        throw new Error('request reached the function without an authorizer context');
      const user = header(event, 'schakel-user');
      if (user !== undefined && !USER_PATTERN.test(user)) {
        throw new ValidationError([
          { name: 'Schakel-User', reason: 'must be 1–100 characters: letters, digits, . _ @ : -' },
        ]);
      }
      const result = await handle({
        client: parsedContext.data,
        pathParameters: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        body: parseBody(event),
        user,
      });
      response = {
        statusCode: result.status,
        headers: {
          ...STANDARD_HEADERS,
          ...(result.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...result.headers,
        },
        body: result.body === undefined ? '' : JSON.stringify(result.body),
      };
    } catch (error) {
      const { response: problem, expected } = problemFor(error);
      response = problem;
      if (!expected) {
        logEvent(
          LOG_EVENTS.requestFailed,
          { route, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message },
          'error',
        );
      }
    }
    logEvent(LOG_EVENTS.requestCompleted, {
      route,
      status: response.statusCode,
      durationMs: Date.now() - started,
    });
    response.headers = { ...response.headers, 'API-Version': API_VERSION };
    return response;
  };
}
