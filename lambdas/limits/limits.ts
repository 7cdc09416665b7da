/**
 * Per-user rate limits, so one user's flood can't hurt anyone else. A fixed
 * window counter per user and kind, counted in DynamoDB with one conditional
 * write (atomic across every container), before anything is read or stored.
 * Each container also counts what it let through itself: once that alone fills
 * the window, the rest of the window is refused without I/O. DynamoDB's count
 * is at least as high, so this refuses nothing DynamoDB would allow (short of a
 * counted request that then failed), and a flood costs no I/O past the limit.
 *
 * @example await takeQuota(caller.id, 'chatMessage'); // throws 429 with Retry-After
 */
import { createHash } from 'node:crypto';
import { TooManyRequestsError } from '../shared/errors.ts';
import { countUse } from './repository.ts';
import { LIMITS, type LimitKind } from './policy.ts';

/** A counter per e-mail address is kept by a digest of it: a counter names nobody. */
export const addressDigest = (email: string) => createHash('sha256').update(email.toLowerCase()).digest('base64url');

/** What this container has seen per user and kind in the current window. */
const seen = new Map<string, { windowStart: number; admitted: number; full: boolean }>();

export async function takeQuota(userId: string, kind: LimitKind, nowMs = Date.now()): Promise<void> {
  const { limit, windowSeconds, what } = LIMITS[kind];
  const now = Math.floor(nowMs / 1000);
  const windowStart = now - (now % windowSeconds);
  const windowEnd = windowStart + windowSeconds;
  const refusal = () =>
    new TooManyRequestsError(
      `Too many ${what}: at most ${limit} per ${windowSeconds} s.`,
      Math.max(1, windowEnd - now),
    );
  const memoKey = `${userId}#${kind}`;
  let local = seen.get(memoKey);
  if (local?.windowStart !== windowStart) {
    if (seen.size > 10_000) seen.clear();
    local = { windowStart, admitted: 0, full: false };
    seen.set(memoKey, local);
  }
  if (local.full || local.admitted >= limit) throw refusal();
  local.admitted++;
  // The counter outlives its window by a minute, then TTL sweeps it.
  if (await countUse(userId, kind, windowStart, limit, windowEnd + 60)) return;
  local.full = true;
  throw refusal();
}
