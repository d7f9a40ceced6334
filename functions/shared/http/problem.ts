import type { APIGatewayProxyResult } from 'aws-lambda';
import type { InvalidParam, Problem } from '../../../schemas/problem.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import { PROBLEM_CONTENT_TYPE, STANDARD_HEADERS } from './gateway-responses.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemResponse(
  status: number,
  detail: string,
  invalidParams?: InvalidParam[],
  extraHeaders: Record<string, string> = {},
): APIGatewayProxyResult {
  const body: Problem = { status, title: TITLES[status] ?? 'Error', detail };
  if (invalidParams?.length) body.invalidParams = invalidParams;
  return {
    statusCode: status,
    headers: { ...STANDARD_HEADERS, 'Content-Type': PROBLEM_CONTENT_TYPE, ...extraHeaders },
    body: JSON.stringify(body),
  };
}

/** The one place where errors become HTTP problems. Unknown errors are 500s. */
export function problemFor(error: unknown): { response: APIGatewayProxyResult; expected: boolean } {
  if (error instanceof ValidationError) {
    return { response: problemResponse(400, error.message, error.invalidParams), expected: true };
  }
  if (error instanceof NotFoundError)
    return { response: problemResponse(404, error.message), expected: true };
  if (error instanceof ForbiddenError) {
    return { response: problemResponse(403, error.message, error.invalidParams), expected: true };
  }
  if (error instanceof ConflictError)
    return { response: problemResponse(409, error.message), expected: true };
  if (error instanceof PayloadTooLargeError)
    return { response: problemResponse(413, error.message), expected: true };
  if (error instanceof UnsupportedMediaTypeError) {
    return { response: problemResponse(415, error.message), expected: true };
  }
  if (error instanceof ServiceUnavailableError) {
    return {
      response: problemResponse(503, error.message, undefined, { 'Retry-After': '5' }),
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
