/**
 * Who a request acts for, right now. Every authenticated HTTP request and every
 * WebSocket frame comes through here: one eventually consistent read of the
 * caller's profile says whether the session is still live and which role it acts
 * with. Kept apart from the users service so the handler chain pulls in only the
 * profile repository.
 */
import type { Access } from '../routes.ts';
import type { Caller, Session } from '../shared/caller.ts';
import { ForbiddenError } from '../shared/errors.ts';
import { takeQuota } from '../limits/limits.ts';
import type { LimitKind } from '../limits/policy.ts';
import { getAccount } from './repository.ts';
import { assertSessionLive, type UserProfile } from './user.ts';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

const profilesRead = new WeakMap<Caller, UserProfile>();

/** The caller behind a live session, with their current role and name; 401 for an ended session. */
export async function currentCaller(session: Session): Promise<Caller> {
  const profile = assertSessionLive(await getAccount(session.userId), session, nowSeconds());
  const caller: Caller = { id: profile.id, role: profile.role, name: profile.name };
  profilesRead.set(caller, profile);
  return caller;
}

/** The profile this request's session check read for `caller`: a route that shows it needs no second read. */
export const profileRead = (caller: Caller): UserProfile | undefined => profilesRead.get(caller);

/**
 * The caller a signed-in request or frame acts for, established the same way by both handler
 * chains: the route's per-user limit counted first (so a flood past it costs no I/O), then the
 * session re-read (401 once it ended), then on an admin route the role it holds now (403).
 */
export async function actingCaller(
  session: Session,
  route: { access: Access; rateLimit?: LimitKind },
  notAdmin: string,
): Promise<Caller> {
  if (route.rateLimit) await takeQuota(session.userId, route.rateLimit);
  const caller = await currentCaller(session);
  if (route.access === 'admin' && caller.role !== 'ADMIN') throw new ForbiddenError(notAdmin);
  return caller;
}
