import { API_VERSION } from '../../../schemas/api.js';

// Responses API Gateway produces itself, before a function runs. The CDK stack installs them as
// gateway responses and local mode answers with the same bodies, so clients see problem+json
// with API-Version everywhere.

export type GatewayResponseKind =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'THROTTLED'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

export interface GatewayProblem {
  status: number;
  title: string;
  detail: string;
}

export const GATEWAY_PROBLEMS: Record<GatewayResponseKind, GatewayProblem> = {
  UNAUTHORIZED: {
    status: 401,
    title: 'Unauthorized',
    detail: 'Send a valid API key as `Authorization: Bearer <apiKey>`.',
  },
  ACCESS_DENIED: { status: 403, title: 'Forbidden', detail: 'This client may not use this operation.' },
  // REST APIs answer an unknown path with 403 "Missing Authentication Token"; it is a 404.
  MISSING_AUTHENTICATION_TOKEN: { status: 404, title: 'Not Found', detail: 'No such resource or operation.' },
  REQUEST_TOO_LARGE: { status: 413, title: 'Payload Too Large', detail: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported Media Type',
    detail: 'Send the body as application/json.',
  },
  THROTTLED: { status: 429, title: 'Too Many Requests', detail: 'Slow down and retry later.' },
  DEFAULT_4XX: { status: 400, title: 'Bad Request', detail: 'The request could not be processed.' },
  DEFAULT_5XX: {
    status: 500,
    title: 'Internal Server Error',
    detail:
      'Something went wrong on our side; retrying the same request is safe (a signal is never stored twice for one sourceId).',
  },
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const STANDARD_HEADERS: Readonly<Record<string, string>> = {
  'API-Version': API_VERSION,
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function gatewayProblemBody(kind: GatewayResponseKind): string {
  const p = GATEWAY_PROBLEMS[kind];
  return JSON.stringify({ status: p.status, title: p.title, detail: p.detail });
}
