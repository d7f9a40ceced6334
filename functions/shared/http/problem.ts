import type { APIGatewayProxyResult } from 'aws-lambda';
import type { InvalidParam, Problem } from '../../../schemas/problem.js';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  InvalidCursorError,
  NotFoundError,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationError,
} from '../errors.js';
import { PROBLEM_CONTENT_TYPE, STANDARD_HEADERS } from './gateway-responses.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The reason for a query parameter an operation does not take (every operation refuses them). */
export const UNKNOWN_QUERY_PARAMETER = 'is not a query parameter of this operation';

export interface ProblemOptions {
  invalidParams?: InvalidParam[] | undefined;
  headers?: Record<string, string>;
  /** RFC 9457 extension members. */
  extensions?: Record<string, string>;
  /** A title of this kind of problem instead of the status's own phrase. */
  title?: string;
}

/** A problem as data: its body, and the headers that go with it besides the standard ones. */
export interface ProblemDetails {
  problem: Problem;
  headers: Record<string, string>;
}

function problemDetails(status: number, detail: string, options: ProblemOptions = {}): ProblemDetails {
  const title = options.title ?? TITLES[status] ?? 'Error';
  const problem: Problem = { status, title, detail, ...options.extensions };
  if (options.invalidParams?.length) problem.invalidParams = options.invalidParams;
  return { problem, headers: { ...options.headers } };
}

function toResponse({ problem, headers }: ProblemDetails): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { ...STANDARD_HEADERS, 'Content-Type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(problem),
  };
}

export function problemResponse(
  status: number,
  detail: string,
  options: ProblemOptions = {},
): APIGatewayProxyResult {
  return toResponse(problemDetails(status, detail, options));
}

/** A middy HttpError (from its body parser): a status and whether its message may be shown. */
interface HttpErrorLike {
  statusCode: number;
  expose?: boolean;
  message: string;
  cause?: { package?: string };
}

function isHttpError(error: unknown): error is HttpErrorLike {
  return (
    error instanceof Error &&
    typeof (error as unknown as Partial<HttpErrorLike>).statusCode === 'number' &&
    (error as unknown as HttpErrorLike).statusCode >= 400
  );
}

/** What middy reports (a 415 from its JSON body parser, a 413 of ours), as this API words it. */
function fromHttpError(error: HttpErrorLike): ProblemDetails | undefined {
  if (error.statusCode === 415) return problemDetails(415, 'Send the body as application/json.');
  if (error.statusCode < 500 && error.expose !== false)
    return problemDetails(error.statusCode, error.message);
  return undefined;
}

/**
 * The one place where errors become HTTP problems, as data: a whole response's (problemFor) or
 * one batch item's. Unknown errors are 500s; `expected` is false for what an operator should see.
 */
export function describeProblem(error: unknown): ProblemDetails & { expected: boolean } {
  const expected = (details: ProblemDetails) => ({ ...details, expected: true });
  if (error instanceof ValidationError) {
    return expected(problemDetails(400, error.message, { invalidParams: error.invalidParams }));
  }
  if (error instanceof InvalidCursorError) {
    return expected(
      problemDetails(400, 'The cursor is not valid for this query; start again without it.', {
        invalidParams: [{ name: 'cursor', reason: error.message }],
      }),
    );
  }
  if (error instanceof NotFoundError) return expected(problemDetails(404, error.message));
  if (error instanceof GoneError) {
    return expected(
      problemDetails(410, error.message, { title: error.title, extensions: { reason: error.reason } }),
    );
  }
  if (error instanceof TooManyRequestsError) {
    return expected(
      problemDetails(429, error.message, { headers: { 'Retry-After': String(error.retryAfterSeconds) } }),
    );
  }
  if (error instanceof ForbiddenError) {
    return expected(problemDetails(403, error.message, { invalidParams: error.invalidParams }));
  }
  if (error instanceof ConflictError) {
    const { existing } = error;
    return expected(
      problemDetails(409, error.message, {
        ...(existing
          ? { headers: { Location: existing.location }, extensions: { signalId: existing.signalId } }
          : {}),
      }),
    );
  }
  if (isHttpError(error)) {
    const details = fromHttpError(error);
    if (details) return expected(details);
  }
  if (error instanceof ServiceUnavailableError) {
    return { ...problemDetails(503, error.message, { headers: { 'Retry-After': '5' } }), expected: false };
  }
  if (isDependencyFailure(error)) {
    return {
      ...problemDetails(
        503,
        'A service this operation depends on did not answer. Send the same request again: every operation is safe to repeat.',
        { headers: { 'Retry-After': '5' } },
      ),
      expected: false,
    };
  }
  return {
    ...problemDetails(
      500,
      'Something went wrong on our side; retrying the same request is safe (a signal is never stored twice for one sourceId).',
    ),
    expected: false,
  };
}

/** The problem+json response for whatever a step threw. */
export function problemFor(error: unknown): { response: APIGatewayProxyResult; expected: boolean } {
  const { expected, ...details } = describeProblem(error);
  return { response: toResponse(details), expected };
}

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const RETRYABLE_AWS_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
  'LimitExceededException',
]);

/**
 * A table or a queue failed or is out of reach — never the request itself, which was validated
 * before any call. AWS SDK errors carry `$metadata`: a server fault or throttling passes, so the
 * client gets a 503 with Retry-After (RFC 9110 §15.6.4); a client fault of AWS (a validation
 * error, a missing table, a denied permission) is ours to fix and stays a 500.
 */
function isDependencyFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const failure = error as Error & {
    $metadata?: unknown;
    $fault?: unknown;
    $retryable?: unknown;
    code?: unknown;
  };
  if (typeof failure.code === 'string' && NETWORK_ERRORS.has(failure.code)) return true;
  if (failure.name === 'TimeoutError' || failure.name === 'RequestTimeout') return true;
  if (failure.$metadata === undefined) return false;
  return (
    failure.$fault === 'server' || failure.$retryable !== undefined || RETRYABLE_AWS_ERRORS.has(failure.name)
  );
}
