/** What the API answers when it refuses a request (RFC 9457), as one typed error. */
import type { components } from './generated/openapi.ts';

export type Problem = components['schemas']['Problem'];

export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** Seconds to wait before retrying, from `Retry-After` (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly status: number,
    /** The problem details; API Gateway's own refusals (401, 429 before any function ran) become one too. */
    readonly problem: Problem,
    retryAfter?: string | null,
  ) {
    super(problem.detail || problem.title);
    const seconds = Number(retryAfter);
    this.retryAfterSeconds = retryAfter && Number.isFinite(seconds) ? seconds : undefined;
  }

  /** The field errors of a 400, keyed by path (e.g. `body.quantity`); several for one field are joined. */
  get fieldErrors(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.fieldErrorLists).map(([path, messages]) => [path, messages.join(' ')]),
    );
  }

  /** Every field error of a 400 by path, in the order the server gave them (a password may fail several rules). */
  get fieldErrorLists(): Record<string, string[]> {
    const byPath: Record<string, string[]> = {};
    for (const error of this.problem.errors ?? []) (byPath[error.path] ??= []).push(error.message);
    return byPath;
  }

  /** Why a code was refused (400 on confirming an address or resetting a password), if that was it. */
  get codeRefusal(): 'wrong' | 'expired' | 'used' | undefined {
    const refusal = this.fieldErrorLists['body.code']?.[0];
    return refusal === 'wrong' || refusal === 'expired' || refusal === 'used' ? refusal : undefined;
  }
}

/**
 * Sign-in refused because the account's address awaits the code e-mailed to it (403 from
 * /auth/login): the password was right. Confirm it (`confirmEmail`), or ask for a new code.
 */
export class EmailNotConfirmedError extends ApiError {
  constructor(refusal: ApiError) {
    super(
      refusal.status,
      refusal.problem,
      refusal.retryAfterSeconds === undefined ? null : String(refusal.retryAfterSeconds),
    );
  }
}

/**
 * Not an error of the request: the password was right and the account has two-factor sign-in on
 * (202 from /auth/login). Finish with `completeSignIn` and a code from the authenticator app,
 * within 3 minutes; a refused code spends the challenge (sign in again with the password).
 */
export class TwoFactorRequired extends Error {
  override readonly name = 'TwoFactorRequired';

  constructor(
    /** The address signing in: `completeSignIn` sends it back. */
    readonly email: string,
    /** The sign-in's session: `completeSignIn` sends it back. */
    readonly session: string,
  ) {
    super('Enter the code your authenticator app shows.');
  }
}

/** The request never got an answer (offline, DNS, connection reset). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

/**
 * Reads a refusal as a Problem: ours are problem+json, API Gateway's own are `{ message }`.
 * `body` is the parsed answer (openapi-fetch has read it already).
 */
export function apiErrorOf(response: Response, body: unknown): ApiError {
  const fields = (body !== null && typeof body === 'object' ? body : {}) as Partial<Problem> & { message?: string };
  const title = fields.title ?? fields.message ?? (response.statusText || `HTTP ${response.status}`);
  const problem: Problem = {
    type: fields.type ?? 'about:blank',
    title,
    status: response.status,
    detail: fields.detail ?? title,
    ...(fields.errors ? { errors: fields.errors } : {}),
  };
  return new ApiError(response.status, problem, response.headers.get('retry-after'));
}
