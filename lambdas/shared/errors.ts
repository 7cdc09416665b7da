/**
 * Typed errors carry their own HTTP status. They are turned into RFC 9457
 * problem+json (HTTP) or error frames (WebSocket) in exactly one place each:
 * `toProblem` below and `lambdas/shared/ws.ts`.
 *
 * @example throw new NotFoundError('Order not found');
 */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** Extra response headers the status calls for (Retry-After, Allow, …). */
  readonly headers: Record<string, string> = {};
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly title = 'Invalid request';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}
export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly title = 'Unauthorized';
}
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly title = 'Forbidden';
}
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly title = 'Not found';
}
export class ConflictError extends AppError {
  readonly status = 409;
  readonly title = 'Conflict';
}
export class PreconditionFailedError extends AppError {
  readonly status = 412;
  readonly title = 'Precondition failed';
}
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
}
export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly title = 'Unprocessable content';
}
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly title = 'Too many requests';
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.headers['retry-after'] = String(retryAfterSeconds);
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const INTERNAL: Problem = {
  type: 'about:blank',
  title: 'Internal Server Error',
  status: 500,
  detail: 'Something went wrong on our side. Try again later.',
};

/** Only AppErrors (all below 500) expose their message; anything else is a generic 500. */
export function toProblem(error: unknown): Problem {
  if (!(error instanceof AppError)) return INTERNAL;
  const problem: Problem = {
    type: 'about:blank',
    title: error.title,
    status: error.status,
    detail: error.message,
  };
  if (error instanceof ValidationError && error.errors.length > 0) problem.errors = error.errors;
  return problem;
}
