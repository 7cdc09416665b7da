/**
 * Failed sign-ins per e-mail address (LIMITS.failedSignIn): the count is read before a sign-in is
 * tried, and a failure adds to it. Past the limit every sign-in for that address is refused with
 * 429 until the window ends, the right password included, so a guess that is right can't be told
 * apart. Cognito keeps a lockout of its own in AWS (cognito-local keeps none): this one holds in both.
 * The address is kept as a digest: a counter names nobody.
 */
import { TooManyRequestsError } from '../shared/errors.ts';
import { LIMITS } from './policy.ts';
import { addressDigest } from './limits.ts';
import { countEvent, countSoFar } from './repository.ts';

const { limit, windowSeconds } = LIMITS.failedSignIn;
const subjectOf = (email: string) => `SIGNIN#${addressDigest(email)}`;
const windowOf = (nowMs: number) => {
  const now = Math.floor(nowMs / 1000);
  const start = now - (now % windowSeconds);
  return { now, start, end: start + windowSeconds };
};

/**
 * Addresses this container found locked, and the window they are locked in: the rest of that
 * window is refused without I/O (a script guessing on costs nothing past the limit). The count in
 * DynamoDB only grows within a window, so this refuses nothing DynamoDB would allow.
 */
const locked = new Map<string, number>();

export async function assertSignInAllowed(email: string, nowMs = Date.now()): Promise<void> {
  const window = windowOf(nowMs);
  const subject = subjectOf(email);
  if (locked.get(subject) !== window.start) {
    if ((await countSoFar(subject, 'failedSignIn', window.start)) < limit) return;
    if (locked.size > 10_000) locked.clear();
    locked.set(subject, window.start);
  }
  throw new TooManyRequestsError(
    `Too many failed sign-ins for this address: try again in ${Math.ceil((window.end - window.now) / 60)} minutes.`,
    Math.max(1, window.end - window.now),
  );
}

export async function recordFailedSignIn(email: string, nowMs = Date.now()): Promise<void> {
  const window = windowOf(nowMs);
  await countEvent(subjectOf(email), 'failedSignIn', window.start, window.end + 60);
}
