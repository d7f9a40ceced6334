import type { APIGatewayProxyResult } from 'aws-lambda';
import type { InvalidParam, Problem } from '../../../schemas/problem.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidCursorError,
  NotFoundError,
  ServiceUnavailableError,
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
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
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
}

export function problemResponse(
  status: number,
  detail: string,
  options: ProblemOptions = {},
): APIGatewayProxyResult {
  const body: Problem = { status, title: TITLES[status] ?? 'Error', detail, ...options.extensions };
  if (options.invalidParams?.length) body.invalidParams = options.invalidParams;
  return {
    statusCode: status,
    headers: { ...STANDARD_HEADERS, 'Content-Type': PROBLEM_CONTENT_TYPE, ...options.headers },
    body: JSON.stringify(body),
  };
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
function fromHttpError(error: HttpErrorLike): APIGatewayProxyResult | undefined {
  if (error.statusCode === 415) return problemResponse(415, 'Send the body as application/json.');
  if (error.statusCode < 500 && error.expose !== false)
    return problemResponse(error.statusCode, error.message);
  return undefined;
}

/** The one place where errors become HTTP problems. Unknown errors are 500s. */
export function problemFor(error: unknown): { response: APIGatewayProxyResult; expected: boolean } {
  const expected = (response: APIGatewayProxyResult) => ({ response, expected: true });
  if (error instanceof ValidationError) {
    return expected(problemResponse(400, error.message, { invalidParams: error.invalidParams }));
  }
  if (error instanceof InvalidCursorError) {
    return expected(
      problemResponse(400, 'The cursor is not valid for this query; start again without it.', {
        invalidParams: [{ name: 'cursor', reason: error.message }],
      }),
    );
  }
  if (error instanceof NotFoundError) return expected(problemResponse(404, error.message));
  if (error instanceof ForbiddenError) {
    return expected(problemResponse(403, error.message, { invalidParams: error.invalidParams }));
  }
  if (error instanceof ConflictError) {
    const { existing } = error;
    return expected(
      problemResponse(409, error.message, {
        ...(existing
          ? { headers: { Location: existing.location }, extensions: { signalId: existing.signalId } }
          : {}),
      }),
    );
  }
  if (isHttpError(error)) {
    const response = fromHttpError(error);
    if (response) return expected(response);
  }
  if (error instanceof ServiceUnavailableError) {
    return {
      response: problemResponse(503, error.message, { headers: { 'Retry-After': '5' } }),
      expected: false,
    };
  }
  if (isDependencyFailure(error)) {
    return {
      response: problemResponse(
        503,
        'A service this operation depends on did not answer. Send the same request again: every operation is safe to repeat.',
        { headers: { 'Retry-After': '5' } },
      ),
      expected: false,
    };
  }
  return {
    response: problemResponse(
      500,
      'Something went wrong on our side; retrying with the same sourceId is safe.',
    ),
    expected: false,
  };
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
