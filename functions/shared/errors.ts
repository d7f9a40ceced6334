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
  constructor(
    detail: string,
    /** The resource the request collided with, when the client may see it (its own signal). */
    readonly existing?: { signalId: string; location: string },
  ) {
    super(detail);
  }
}

/**
 * The resource existed and is still known, but what was asked for is gone for good: the pupil data
 * of a signal after its retention period (RFC 9110 §15.5.11). Never retry.
 */
export class GoneError extends Error {
  override name = 'GoneError';
  constructor(
    readonly title: string,
    detail: string,
    /** Why it is gone: `retention` (the period passed) or `withdrawn` (the school withdrew it). */
    readonly reason: 'retention' | 'withdrawn' = 'retention',
  ) {
    super(detail);
  }
}

/** A page cursor that this API did not issue for this query (forged, or of another query). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** The client has too much under way already; it may try again after `retryAfterSeconds`. */
export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

/** A dependency (queue, table) failed after validation; the client may retry safely. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

/** The function's configuration (environment, secrets) is missing or wrong: a cold start fails. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}
