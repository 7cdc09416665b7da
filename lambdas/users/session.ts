/**
 * Who a request acts for, right now. Every authenticated HTTP request and every
 * WebSocket frame comes through here: one eventually consistent read of the
 * caller's profile says whether the session is still live and which role it acts
 * with. Kept apart from the users service so the handler chain pulls in only the
 * profile repository.
 */
import type { Caller, Session } from '../shared/caller.ts';
import { getAccount } from './repository.ts';
import { assertSessionLive } from './user.ts';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The caller behind a live session, with their current role and name; 401 for an ended session. */
export async function currentCaller(session: Session): Promise<Caller> {
  const profile = assertSessionLive(await getAccount(session.userId), session, nowSeconds());
  return { id: profile.id, role: profile.role, name: profile.name };
}
