import type { InvalidParam } from '../../schemas/problem.js';

// Expected failures a use case reports; http/problem.ts maps them to problem+json in one place.
// Anything else thrown is unexpected and becomes a 500 (or, on a queue, a retry).

export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    readonly invalidParams: InvalidParam[],
    detail = 'The request has invalid fields; see invalidParams.',
  ) {
    super(detail);
  }
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(detail = 'No such resource, or it belongs to another client.') {
    super(detail);
  }
}

export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
  constructor(
    detail: string,
    readonly invalidParams?: InvalidParam[],
  ) {
    super(detail);
  }
}

export class ConflictError extends Error {
  override name = 'ConflictError';
}

export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

export class UnsupportedMediaTypeError extends Error {
  override name = 'UnsupportedMediaTypeError';
}

/** A dependency (queue, table) failed after validation; the client may retry safely. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}
