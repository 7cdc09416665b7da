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
  /** Seconds to wait before retrying (429, 503): the Retry-After header, and `retryAfter` in error frames. */
  get retryAfterSeconds(): number | undefined {
    const value = this.headers['retry-after'];
    return value === undefined ? undefined : Number(value);
  }
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
/**
 * A dependency (DynamoDB, Cognito, @connections) timed out or failed on its side.
 * Not the caller's fault and safe to retry: the only error above 499 that says
 * what happened, since it reveals nothing but "try again".
 */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly title = 'Service unavailable';
  constructor(message = 'A service this request needs did not answer in time. Retry shortly.') {
    super(message);
    this.headers['retry-after'] = '2';
  }
}

/**
 * Is this an AWS SDK failure that says "the dependency is down or slow" rather
 * than "the code is wrong"? Timeouts, refused or reset connections, throttling
 * and 5xx answers. Recognised by shape, so this module imports no SDK.
 */
export function isDependencyFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { name, $fault, $retryable, code } = error as Error & { $fault?: string; $retryable?: unknown; code?: string };
  if (['TimeoutError', 'RequestTimeout', 'CallTimeout', 'AbortError'].includes(name)) return true;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code))
    return true;
  if ($retryable !== undefined) return true;
  return $fault === 'server';
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

/**
 * @middy/http-json-body-parser's refusals (http-errors with a 415 or 422 status), recognised
 * by shape like the SDK's: a wrong content type is our 415; a body that isn't JSON, or uses
 * `__proto__`, is a 400 like any other invalid request.
 */
function bodyParserError(error: unknown): AppError | undefined {
  const { statusCode, cause } = (error ?? {}) as { statusCode?: number; cause?: { package?: string; data?: unknown } };
  if (cause?.package !== '@middy/http-json-body-parser') return undefined;
  if (statusCode === 415) return new UnsupportedMediaTypeError('Send the request body as application/json.');
  if ((error as Error).message === 'Forbidden key in JSON body') {
    const key = String(cause.data);
    return new ValidationError(`The request body may not use the key "${key}".`, [
      { path: `body.${key}`, message: 'Forbidden key' },
    ]);
  }
  return new ValidationError('The request body is not valid JSON.', [{ path: 'body', message: 'Invalid JSON' }]);
}

/**
 * The typed error an error stands for: dependency failures become a 503, the body parser's
 * refusals a 400 or 415; other unknowns stay as they are.
 */
export function classify(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isDependencyFailure(error)) return new ServiceUnavailableError();
  return bodyParserError(error) ?? error;
}

/**
 * Only AppErrors (all below 500, and the 503 for a failed dependency) expose their
 * message; anything else is a generic 500. Callers `classify` first.
 */
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
