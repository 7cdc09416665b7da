/**
 * Use cases for accounts and profiles. Cognito holds credentials and groups;
 * the profile item mirrors each user for listing and for names in chat. Every
 * two-system change is ordered so that a failure is either compensated or
 * converges when the same request is retried.
 */
import { assertSignInAllowed, recordFailedSignIn } from '../limits/sign-in-failures.ts';
import { disconnectSessions } from '../chat/disconnect.ts';
import type { Caller, Role, Session } from '../shared/caller.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { NotFoundError, UnauthorizedError } from '../shared/errors.ts';
import { logger } from '../shared/logger.ts';
import * as accounts from './identity-provider.ts';
import * as profiles from './repository.ts';
import { nowSeconds, profileRead } from './session.ts';
import {
  assertMayChangeRole,
  assertMayDelete,
  planSessionEnd,
  toPublicUser,
  type PublicUser,
  type UserProfile,
} from './user.ts';

const now = () => new Date().toISOString();

const USERS_CURSOR_SCOPE = 'users';

export async function register(input: { name: string; email: string; password: string }): Promise<PublicUser> {
  const id = await accounts.signUp(input.email, input.password);
  const timestamp = now();
  const profile: UserProfile = {
    id,
    name: input.name,
    email: input.email,
    role: 'REGULAR',
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  try {
    await profiles.createProfile(profile);
  } catch (error) {
    // Never leave an account without a profile: undo the sign-up, so the same request can simply be retried.
    await accounts
      .deleteAccount(id)
      .catch((rollbackError: unknown) =>
        logger.error('Rollback of sign-up failed; the next sign-in recreates the profile', rollbackError as Error),
      );
    throw error;
  }
  return toPublicUser(profile);
}

/** The profile of an account, recreated from Cognito if a sign-up was interrupted before it was written. */
async function profileOfAccount(id: string, email: string): Promise<UserProfile> {
  const existing = await profiles.getProfile(id);
  if (existing) return existing;
  const timestamp = now();
  const recovered: UserProfile = {
    id,
    name: email.split('@')[0]!.slice(0, 50),
    email,
    role: 'REGULAR',
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  await profiles.createProfile(recovered);
  return (await profiles.getProfile(id)) ?? recovered;
}

export async function login(input: { email: string; password: string }) {
  await assertSignInAllowed(input.email);
  let signedIn = await accounts.signIn(input.email, input.password).catch(async (error: unknown) => {
    if (error instanceof UnauthorizedError) await recordFailedSignIn(input.email);
    throw error;
  });
  const profile = await profileOfAccount(signedIn.userId, input.email);
  if (profile.deletedAt) throw new UnauthorizedError('Incorrect email or password.');
  // Sessions are ended by the second: a sign-in in the very second of a sign-out-everywhere
  // would be born ended, so it waits for the next second and signs in again.
  if (profile.sessionsEndedAt !== undefined && signedIn.sessionStartedAt <= profile.sessionsEndedAt) {
    await new Promise((r) => setTimeout(r, (profile.sessionsEndedAt! + 1) * 1000 - Date.now() + 10));
    signedIn = await accounts.signIn(input.email, input.password);
  }
  const { userId: _userId, sessionStartedAt: _startedAt, ...tokens } = signedIn;
  return { ...tokens, tokenType: 'Bearer' as const, user: toPublicUser(profile) };
}

const REFRESH_REFUSED = 'The refresh token is invalid, expired or revoked.';

/** A refresh token of a deleted account, or of a session ended everywhere, gets nothing. */
export async function refresh(refreshToken: string) {
  const tokens = await accounts.refresh(refreshToken);
  const profile = await profiles.getProfile(tokens.userId);
  if (!profile || profile.deletedAt) throw new UnauthorizedError(REFRESH_REFUSED);
  if (profile.sessionsEndedAt !== undefined && tokens.sessionStartedAt <= profile.sessionsEndedAt) {
    throw new UnauthorizedError(REFRESH_REFUSED);
  }
  return { accessToken: tokens.accessToken, idToken: tokens.idToken, expiresIn: tokens.expiresIn };
}

/**
 * Ends this one session: its refresh token is revoked in Cognito, its access
 * tokens are refused from the next request on, and its WebSockets are closed.
 * The account's other sessions (other devices) carry on. A refresh token that
 * isn't this session's (another user's, another sign-in's, or garbage) is left
 * alone, and the session still ends.
 */
export async function logout(caller: Caller, session: Session, refreshToken: string): Promise<void> {
  const owner = await accounts.refreshTokenOwner(refreshToken);
  // In AWS a refreshed token names its sign-in (origin_jti); cognito-local's names none, so there
  // the token need only be the caller's (docs/security.md).
  const ours = owner?.userId === session.userId && (owner.sessionId === undefined || owner.sessionId === session.id);
  if (ours) await accounts.revoke(refreshToken);
  // The profile the session check just read: the writes below are conditional on what they change,
  // so a logout elsewhere in the same instant costs at most one remembered session too many.
  const profile = profileRead(caller) ?? (await profiles.getProfile(session.userId));
  if (!profile) throw new UnauthorizedError('This account no longer exists.');
  const plan = planSessionEnd(profile, session, nowSeconds());
  if ('endAllAt' in plan) await profiles.endSessionsBefore(session.userId, plan.endAllAt);
  else await profiles.addEndedSession(session.userId, plan.add, plan.drop, profile.endedSessions !== undefined);
  await disconnectSessions(session.userId, 'endAllAt' in plan ? undefined : session.id);
}

/** Ends every session of the caller, this one included, on every device. */
export async function logoutEverywhere(session: Session): Promise<void> {
  await profiles.endSessionsBefore(session.userId, nowSeconds());
  await disconnectSessions(session.userId);
}

/** The caller's own live profile (as the session check read it); a deleted account's leftover tokens get 401. */
export async function me(caller: Caller): Promise<PublicUser> {
  const profile = profileRead(caller) ?? (await profiles.getProfile(caller.id));
  if (!profile || profile.deletedAt) throw new UnauthorizedError('This account no longer exists.');
  return toPublicUser(profile);
}

export async function renameMe(caller: Caller, name: string): Promise<PublicUser> {
  const updated = await profiles.renameProfile(caller.id, name, now());
  if (!updated) throw new UnauthorizedError('This account no longer exists.');
  return toPublicUser(updated);
}

export async function listUsers(limit: number, cursor: string | undefined) {
  const page = await profiles.listProfiles(limit, await decodeCursor(cursor, USERS_CURSOR_SCOPE));
  return { items: page.items.map(toPublicUser), nextCursor: await encodeCursor(page.lastKey, USERS_CURSOR_SCOPE) };
}

async function liveProfile(id: string): Promise<UserProfile> {
  const profile = await profiles.getProfile(id);
  if (!profile || profile.deletedAt) throw new NotFoundError('User not found.');
  return profile;
}

export async function getUser(id: string): Promise<PublicUser> {
  return toPublicUser(await liveProfile(id));
}

/**
 * Profile first, then the Cognito group; if the group change fails the
 * profile is put back, so the two never disagree for longer than one request.
 * The profile is what admin routes re-check, so a demotion bites at once.
 */
export async function changeRole(caller: Caller, targetId: string, role: Role): Promise<PublicUser> {
  assertMayChangeRole(caller.id, targetId);
  const current = await liveProfile(targetId);
  if (current.role === role) {
    await accounts.setAdminGroup(targetId, role === 'ADMIN'); // converge a half-done earlier attempt
    return toPublicUser(current);
  }
  const updated = await profiles.setProfileRole(targetId, role, current.role, now());
  if (!updated) throw new NotFoundError('User not found.');
  try {
    await accounts.setAdminGroup(targetId, role === 'ADMIN');
  } catch (error) {
    await profiles.setProfileRole(targetId, current.role, role, now());
    throw error;
  }
  // Every request and frame acts with the profile's role from now on. A demoted admin's
  // sockets may be in rooms they can no longer see: close them (clients reconnect as REGULAR).
  if (role === 'REGULAR') await disconnectSessions(targetId);
  return toPublicUser(updated);
}

/**
 * The profile is marked deleted first (so the account loses access at once and
 * disappears from listings), then the Cognito account goes. A retry after a
 * failure in between finishes the job.
 */
export async function deleteUser(caller: Caller, targetId: string): Promise<void> {
  assertMayDelete(caller.id, targetId);
  const profile = await profiles.getProfile(targetId);
  if (!profile) throw new NotFoundError('User not found.');
  if (!profile.deletedAt) await profiles.markProfileDeleted(targetId, now());
  await disconnectSessions(targetId);
  const deleted = await accounts.deleteAccount(targetId);
  if (!deleted && profile.deletedAt) throw new NotFoundError('User not found.');
}
