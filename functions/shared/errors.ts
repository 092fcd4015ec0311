/**
 * Domain errors. Each sets `name`, a stable UPPER_SNAKE `code` and the HTTP status it maps to;
 * `toProblem` turns any of them into an RFC 9457 problem+json body, so a 4xx always says what to fix.
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly errors?: readonly FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

/** 400: the request is malformed or fails its schema. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(detail: string, errors: readonly FieldError[] = [], code = 'VALIDATION_FAILED') {
    super(400, code, 'The request is not valid', detail, errors);
  }
}

/** 401: no token or an invalid one. */
export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  constructor(detail = 'Sign in: send a valid bearer token in the Authorization header.') {
    super(401, 'UNAUTHORIZED', 'Authentication required', detail);
  }
}

/** 403: the caller's role may not use this route. */
export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(detail: string) {
    super(403, 'FORBIDDEN', 'Not allowed for your role', detail);
  }
}

/** 404: not found, or not the caller's (never reveals another party's objects). */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(what: string, id: string) {
    super(404, 'NOT_FOUND', 'Not found', `No ${what} with id ${id} is visible to you.`);
  }
}

/** 409: wrong stage, deadline passed, duplicate, stale version. */
export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(code: string, detail: string, extra?: Record<string, unknown>) {
    super(409, code, 'The request conflicts with the current state', detail, undefined, extra);
  }
}

/** 409 STALE_VERSION: optimistic locking lost a race; re-read and try again. */
export class StaleVersionError extends ConflictError {
  override name = 'StaleVersionError';
  constructor(entity: string) {
    super('STALE_VERSION', `${entity} was changed by someone else meanwhile; reload it and try again.`);
  }
}

/** 413: the body or file is too large. */
export class PayloadTooLargeError extends AppError {
  override name = 'PayloadTooLargeError';
  constructor(detail: string) {
    super(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', detail);
  }
}

/** 422: well-formed but the content is unacceptable (e.g. a file that does not match its declaration). */
export class UnprocessableError extends AppError {
  override name = 'UnprocessableError';
  constructor(code: string, detail: string, errors?: readonly FieldError[]) {
    super(422, code, 'The content cannot be accepted', detail, errors);
  }
}

/** 503: a backing service is unavailable; nothing was changed, try again later. */
export class ServiceUnavailableError extends AppError {
  override name = 'ServiceUnavailableError';
  constructor(
    detail = 'A backing service is temporarily unavailable. Nothing was changed; try again shortly.',
  ) {
    super(503, 'SERVICE_UNAVAILABLE', 'Service unavailable', detail);
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

const PROBLEM_BASE = 'https://zs-ai-platform.example/problems/';

/** Maps any thrown value to a problem+json body. Unknown errors become an opaque 500. */
export function toProblem(error: unknown, instance?: string): Problem {
  if (error instanceof AppError) {
    return {
      ...(error.extra ?? {}),
      type: PROBLEM_BASE + error.code.toLowerCase().replace(/_/g, '-'),
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(instance ? { instance } : {}),
      ...(error.errors ? { errors: [...error.errors] } : {}),
    };
  }
  return {
    type: `${PROBLEM_BASE}internal-error`,
    title: 'Internal error',
    status: 500,
    detail: 'An unexpected error occurred. It has been logged; nothing you sent was at fault.',
    code: 'INTERNAL_ERROR',
    ...(instance ? { instance } : {}),
  };
}
