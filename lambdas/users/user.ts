/** The user as the product knows them. Pure domain: no AWS types. */
import { createHash } from 'node:crypto';
import type { Role, Session } from '../shared/caller.ts';
import { ConflictError, UnauthorizedError } from '../shared/errors.ts';
import { tokenValidity } from '../identity.ts';

export interface UserProfile {
  id: string;
  name: string;
  email: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  /** Set when an admin deleted the account; the profile stays so chat history keeps its names. */
  deletedAt?: string;
  /** Epoch seconds of the last sign-out-everywhere: sessions that began at or before it are over. */
  sessionsEndedAt?: number;
  /** Sessions ended one by one (logout): session key → epoch seconds after which the entry can go. */
  endedSessions?: Record<string, number>;
  /**
   * Present while the e-mail address awaits its code: when the latest was sent (epoch seconds).
   * Absent once confirmed, and on accounts made before addresses were confirmed (they count as confirmed).
   */
  emailConfirmation?: { codeSentAt: number };
  /** The password reset code sent last (epoch seconds), and the digest of the one used last. */
  passwordReset?: { codeSentAt?: number; usedCode?: string };
  /**
   * Since when (epoch seconds) sign-in asks for a code from an authenticator app (Cognito holds the
   * secret); absent while it doesn't. A number, not a date string: the profile stays under 1 KB.
   */
  twoFactorSince?: number;
}

/** A new address waiting for the code Cognito e-mailed to it (epoch seconds); the profile's `email` stays the old one till then. */
export interface EmailChange {
  address: string;
  codeSentAt: number;
}

/** What was done to an account by someone else, kept in its record. */
export interface UserEvent {
  /** Sortable by time (a ULID). */
  id: string;
  type: 'PASSWORD_RESET_SENT' | 'TWO_FACTOR_REMOVED';
  at: string;
  by: { id: string; role: Role };
}

export type PublicUser = Pick<UserProfile, 'id' | 'name' | 'email' | 'role' | 'createdAt' | 'updatedAt'> & {
  emailConfirmed: boolean;
  twoFactorEnabled: boolean;
};

export function toPublicUser(profile: UserProfile): PublicUser {
  const { id, name, email, role, createdAt, updatedAt } = profile;
  return {
    id,
    name,
    email,
    role,
    emailConfirmed: profile.emailConfirmation === undefined,
    twoFactorEnabled: profile.twoFactorSince !== undefined,
    createdAt,
    updatedAt,
  };
}

/** What the old address is told when the account moves to a new one. */
export function emailChangedNotice(oldAddress: string, newAddress: string) {
  return {
    to: oldAddress,
    subject: 'Your Order Chat address has changed',
    text:
      `Your Order Chat account now uses ${newAddress}: sign in with it from now on. ` +
      'This address gets no more e-mail from us.\n\n' +
      'If you did not make this change, someone else may have your password: contact the shop at once, ' +
      'and an admin can lock the account.',
  };
}

export const EMAIL_NOT_CONFIRMED =
  'Confirm your e-mail address first: enter the code we sent to it, or ask for a new one.';

export function assertMayChangeRole(actorId: string, targetId: string): void {
  if (actorId === targetId) throw new ConflictError('You cannot change your own role.');
}

export function assertMayDelete(actorId: string, targetId: string): void {
  if (actorId === targetId) throw new ConflictError('You cannot delete your own account.');
}

/**
 * Ended sessions are kept by a short hash: the profile is read on every request and
 * must stay under 1 KB. 96 bits keep a collision (which would end a stranger's
 * session of the same user, nothing worse) out of reach.
 */
export function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url').slice(0, 16);
}

/** At most this many one-by-one logouts are remembered; beyond it a logout ends every session (docs/security.md). */
export const MAX_ENDED_SESSIONS = 10;
/** A logged-out session's access tokens all expire within this; its entry can go after it. */
export const ENDED_SESSION_SECONDS = tokenValidity.accessTokenMinutes * 60;

export const SESSION_ENDED = 'This session has ended: sign in again.';

/**
 * Is this session still live right now? The account exists, the session began after
 * the last sign-out-everywhere, was not logged out, and its token has not expired.
 */
export function assertSessionLive(profile: UserProfile | undefined, session: Session, nowSeconds: number): UserProfile {
  if (!profile || profile.deletedAt) throw new UnauthorizedError('This account no longer exists.');
  if (session.expiresAt <= nowSeconds) throw new UnauthorizedError('The access token has expired: refresh it.');
  if (profile.sessionsEndedAt !== undefined && session.startedAt <= profile.sessionsEndedAt) {
    throw new UnauthorizedError(SESSION_ENDED);
  }
  if (profile.endedSessions?.[sessionKey(session.id)] !== undefined) throw new UnauthorizedError(SESSION_ENDED);
  return profile;
}

/**
 * How to remember one more logged-out session: drop entries whose tokens have all
 * expired, add this one, and when the list would outgrow its bound end every
 * session instead (the account stays under 1 KB, the guarantee only gets stronger).
 */
export function planSessionEnd(
  profile: UserProfile,
  session: Session,
  nowSeconds: number,
): { add: [string, number]; drop: string[] } | { endAllAt: number } {
  const entries = Object.entries(profile.endedSessions ?? {});
  const drop = entries.filter(([, until]) => until <= nowSeconds).map(([key]) => key);
  if (entries.length - drop.length >= MAX_ENDED_SESSIONS) return { endAllAt: nowSeconds };
  return { add: [sessionKey(session.id), nowSeconds + ENDED_SESSION_SECONDS], drop };
}
