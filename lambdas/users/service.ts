/**
 * Use cases for accounts and profiles. Cognito holds credentials and groups;
 * the profile item mirrors each user for listing and for names in chat. Every
 * two-system change is ordered so that a failure is either compensated or
 * converges when the same request is retried.
 */
import { ulid } from 'ulid';
import { addressDigest, takeQuota } from '../limits/limits.ts';
import { assertSignInAllowed, recordFailedSignIn } from '../limits/sign-in-failures.ts';
import { disconnectSessions } from '../chat/disconnect.ts';
import type { Caller, Role, Session } from '../shared/caller.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../shared/errors.ts';
import { logger } from '../shared/logger.ts';
import { batchLookup } from '../shared/dynamo-client.ts';
import * as accounts from './identity-provider.ts';
import * as profiles from './repository.ts';
import { nowSeconds, profileRead } from './session.ts';
import { codeDigest, codeExpired, CodeRefusal, codeRefused } from './codes.ts';
import { totpUri } from './totp.ts';
import { sendNotice } from './mail.ts';
import { setRoster } from '../notifications/repository.ts';
import {
  assertMayChangeRole,
  EMAIL_NOT_CONFIRMED,
  assertMayDelete,
  emailChangedNotice,
  planSessionEnd,
  toPublicUser,
  type PublicUser,
  type UserProfile,
} from './user.ts';

const now = () => new Date().toISOString();

const USERS_CURSOR_SCOPE = 'users';

/** The per-address counters of codes sent and codes tried. */
const addressSubject = (email: string) => `ADDRESS#${addressDigest(email)}`;

/**
 * Creates the account and has Cognito e-mail it a code: it can't sign in before it confirms the
 * address (`confirmEmail`). An address whose sign-up never confirmed can sign up again: the
 * pending account (which could do nothing yet) is replaced, so nobody can hold an address they
 * don't own.
 */
export async function register(input: { name: string; email: string; password: string }): Promise<PublicUser> {
  await takeQuota(addressSubject(input.email), 'codeSent');
  const id = await accounts.signUp(input.email, input.password).catch(async (error: unknown) => {
    if (!(error instanceof ConflictError) || !(await removePendingSignUp(input.email))) throw error;
    return accounts.signUp(input.email, input.password);
  });
  const timestamp = now();
  const profile: UserProfile = {
    id,
    name: input.name,
    email: input.email,
    role: 'REGULAR',
    createdAt: timestamp,
    updatedAt: timestamp,
    emailConfirmation: { codeSentAt: nowSeconds() },
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
  // The account is made: a code that fails to go out is asked for again at sign-in, not a failed sign-up.
  await sendEmailCodeBySigningIn(input.email, input.password).catch((error: unknown) =>
    logger.error('The sign-up code could not be sent; a new one can be asked for', error as Error),
  );
  return toPublicUser(profile);
}

/** Removes the account of `email` if its address was never confirmed; false when there is none such. */
async function removePendingSignUp(email: string): Promise<boolean> {
  const account = await accounts.findAccount(email);
  if (!account || account.emailVerified) return false;
  const profile = await profiles.getProfile(account.id);
  if (profile && !profile.emailConfirmation) return false;
  if (profile) await profiles.deletePendingProfile(account.id);
  await accounts.deleteAccount(account.id);
  return true;
}

/** Signs in as the account (its password at hand) only to have Cognito send it a code, then lets that session go. */
async function sendEmailCodeBySigningIn(email: string, password: string): Promise<void> {
  const signedIn = await accounts.signIn(email, password);
  if (accounts.isChallenge(signedIn)) return; // two-factor on: the address was confirmed long ago
  try {
    await accounts.sendEmailCode(signedIn.accessToken);
  } finally {
    await letGo(signedIn);
  }
}
/**
 * The profile of an account, recreated from Cognito if a sign-up was interrupted before it was
 * written (its address confirmed only if Cognito says so).
 */
async function profileOfAccount(id: string, email: string): Promise<UserProfile> {
  const existing = await profiles.getProfile(id);
  if (existing) return existing;
  const timestamp = now();
  const confirmed = (await accounts.findAccount(id))?.emailVerified === true;
  const recovered: UserProfile = {
    id,
    name: email.split('@')[0]!.slice(0, 50),
    email,
    role: 'REGULAR',
    createdAt: timestamp,
    updatedAt: timestamp,
    ...(confirmed ? {} : { emailConfirmation: { codeSentAt: 0 } }),
  };
  await profiles.createProfile(recovered);
  return (await profiles.getProfile(id)) ?? recovered;
}

/**
 * Cognito's sign-in, counted against the address's failed sign-ins (LIMITS.failedSignIn): tokens,
 * or, with two-factor on, the challenge for a code (the password was right).
 */
async function checkedSignIn(email: string, password: string) {
  await assertSignInAllowed(email);
  const signedIn = await accounts.signIn(email, password).catch(async (error: unknown) => {
    if (error instanceof UnauthorizedError) await recordFailedSignIn(email);
    throw error;
  });
  const profile = await profileOfAccount(await userIdOf(signedIn, email), email);
  if (profile.deletedAt) throw new UnauthorizedError('Incorrect email or password.');
  return { signedIn, profile };
}

/** Whose sign-in this is: the tokens say; a challenge doesn't, so Cognito is asked. */
async function userIdOf(signedIn: accounts.SignedIn | accounts.TotpChallenge, email: string): Promise<string> {
  if (!accounts.isChallenge(signedIn)) return signedIn.userId;
  const account = await accounts.findAccount(email);
  if (!account) throw new UnauthorizedError('Incorrect email or password.');
  return account.id;
}

/** A confirmed address can't be confirmed again (a two-factor account's always is). */
const alreadyConfirmed = () => codeRefused(CodeRefusal.Used, 'This address is confirmed already: sign in.');

/**
 * Sessions are ended by the second: a sign-in in the very second of an ending (`at`, epoch
 * seconds) would be born ended, so it waits for the next second.
 */
const pastSecondOf = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, (at + 1) * 1000 - Date.now() + 10)));

/** Lets go of a sign-in made only to prove the password: its refresh token is revoked. */
async function letGo(signedIn: { refreshToken?: string }): Promise<void> {
  if (signedIn.refreshToken) await accounts.revoke(signedIn.refreshToken).catch(() => undefined);
}

/**
 * Signs in: tokens, or with two-factor on the challenge for a code (`loginWithTotp`). An account
 * whose address awaits its code is refused (403) once its password is right, and told what to do.
 */
export async function login(input: { email: string; password: string }) {
  const checked = await checkedSignIn(input.email, input.password);
  let signedIn = checked.signedIn;
  const profile = checked.profile;
  if (profile.emailConfirmation) {
    if (!accounts.isChallenge(signedIn)) await letGo(signedIn);
    throw new ForbiddenError(EMAIL_NOT_CONFIRMED);
  }
  if (accounts.isChallenge(signedIn)) {
    // The tokens come with the answer, which must begin after any ending of sessions (by the second).
    if (profile.sessionsEndedAt !== undefined && profile.sessionsEndedAt >= nowSeconds()) {
      await pastSecondOf(profile.sessionsEndedAt);
    }
    return signedIn;
  }
  if (profile.sessionsEndedAt !== undefined && signedIn.sessionStartedAt <= profile.sessionsEndedAt) {
    await pastSecondOf(profile.sessionsEndedAt);
    const again = await accounts.signIn(input.email, input.password);
    if (accounts.isChallenge(again)) return again; // two-factor turned on in between
    signedIn = again;
  }
  return signedInAs(signedIn, profile);
}

/**
 * The second step of a two-factor sign-in: the code from the authenticator app answers the
 * challenge `login` gave. Tries count against the address, as e-mailed codes do.
 */
export async function loginWithTotp(input: { email: string; session: string; code: string }) {
  await takeQuota(addressSubject(input.email), 'codeAttempt');
  const signedIn = await accounts.answerTotpChallenge(input.email, input.session, input.code);
  const profile = await profileOfAccount(signedIn.userId, input.email);
  if (
    profile.deletedAt ||
    (profile.sessionsEndedAt !== undefined && signedIn.sessionStartedAt <= profile.sessionsEndedAt)
  ) {
    await letGo(signedIn);
    throw new UnauthorizedError('This sign-in has ended: sign in again.');
  }
  return signedInAs(signedIn, profile);
}

function signedInAs(signedIn: accounts.SignedIn, profile: UserProfile) {
  const { userId: _userId, sessionStartedAt: _startedAt, ...tokens } = signedIn;
  return { ...tokens, tokenType: 'Bearer' as const, user: toPublicUser(profile) };
}

/**
 * Confirms the account's address with the code Cognito e-mailed, and signs in: the password
 * proves whose code it is (Cognito checks a code only within the account's own session).
 * A retry after a lost answer, or a second use, is told the address is confirmed already.
 */
export async function confirmEmail(input: { email: string; password: string; code: string }) {
  await takeQuota(addressSubject(input.email), 'codeAttempt');
  const { signedIn, profile } = await checkedSignIn(input.email, input.password);
  if (accounts.isChallenge(signedIn)) throw alreadyConfirmed();
  try {
    if (!profile.emailConfirmation) throw alreadyConfirmed();
    if (codeExpired('verifyEmail', profile.emailConfirmation.codeSentAt, nowSeconds())) {
      throw codeRefused(CodeRefusal.Expired);
    }
    await accounts.verifyEmail(signedIn.accessToken, input.code).catch(async (error: unknown) => {
      // Cognito confirmed it on an earlier try whose answer was lost: finish that one.
      if (!(await accounts.findAccount(profile.id))?.emailVerified) throw error;
    });
  } catch (error) {
    await letGo(signedIn);
    throw error;
  }
  const confirmed = (await profiles.markEmailConfirmed(profile.id, now())) ?? profile;
  return signedInAs(signedIn, confirmed);
}

/** E-mails the account a new code for its address; the password says the one asking owns the account. */
export async function resendEmailCode(input: { email: string; password: string }): Promise<void> {
  const { signedIn, profile } = await checkedSignIn(input.email, input.password);
  if (accounts.isChallenge(signedIn)) throw alreadyConfirmed();
  try {
    if (!profile.emailConfirmation) throw alreadyConfirmed();
    await takeQuota(addressSubject(input.email), 'codeSent');
    await accounts.sendEmailCode(signedIn.accessToken);
    await profiles.recordEmailCodeSent(profile.id, nowSeconds());
  } finally {
    await letGo(signedIn);
  }
}

/** What the forgotten-password request answers at the soonest, whatever the address: its timing tells nothing. */
const FORGOT_PASSWORD_MIN_MS = 400;

/**
 * Has Cognito e-mail a password reset code to the address, if it has a live, confirmed account.
 * The answer is the same either way, and no sooner (FORGOT_PASSWORD_MIN_MS).
 */
export async function forgotPassword(input: { email: string }): Promise<void> {
  const started = Date.now();
  try {
    await takeQuota(addressSubject(input.email), 'codeSent');
    const account = await accounts.findAccount(input.email);
    const profile = account && (await profiles.getProfile(account.id));
    if (!profile || profile.deletedAt || profile.emailConfirmation || !account.emailVerified) return;
    await accounts.startPasswordReset(input.email);
    await profiles.recordResetCodeSent(profile.id, nowSeconds(), profile.passwordReset?.usedCode);
  } finally {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + FORGOT_PASSWORD_MIN_MS - Date.now())));
  }
}

/**
 * Sets a new password with the code Cognito e-mailed, and ends every session of the account
 * (HTTP, `$connect` and open sockets: as a sign-out everywhere). Every refusal is about the code,
 * so an address without an account reads like a wrong code.
 */
export async function resetPassword(input: { email: string; code: string; password: string }): Promise<void> {
  await takeQuota(addressSubject(input.email), 'codeAttempt');
  const account = await accounts.findAccount(input.email);
  const profile = account && (await profiles.getProfile(account.id));
  if (!profile || profile.deletedAt || !profile.passwordReset) throw codeRefused(CodeRefusal.Wrong);
  if (profile.passwordReset.usedCode === codeDigest(input.code)) throw codeRefused(CodeRefusal.Used);
  if (codeExpired('resetPassword', profile.passwordReset.codeSentAt, nowSeconds())) {
    throw codeRefused(CodeRefusal.Expired);
  }
  await accounts.finishPasswordReset(input.email, input.code, input.password);
  await profiles.recordPasswordReset(profile.id, codeDigest(input.code), nowSeconds());
  await disconnectSessions(profile.id);
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

/**
 * The caller's own password, checked as a sign-in is (and counted against the address's failed
 * sign-ins), refused as a 400 on that field: the session itself is fine. The profile is the one
 * the session check read.
 */
async function checkedOwnPassword(profile: UserProfile, password: string, field: string) {
  await assertSignInAllowed(profile.email);
  try {
    return await accounts.signIn(profile.email, password);
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    await recordFailedSignIn(profile.email);
    throw new ValidationError('The password is not right.', [{ path: `body.${field}`, message: 'Incorrect password' }]);
  }
}

/**
 * With two-factor on, a current code from the authenticator app answers the challenge the
 * caller's password met: required (a 400 on `body.code` without it), and tried once.
 */
async function answeredWithCode(profile: UserProfile, challenge: accounts.TotpChallenge, code: string | undefined) {
  if (code === undefined) {
    throw new ValidationError('Two-factor sign-in is on: enter the code your authenticator app shows.', [
      { path: 'body.code', message: 'Required' },
    ]);
  }
  await takeQuota(addressSubject(profile.email), 'codeAttempt');
  return accounts.answerTotpChallenge(profile.email, challenge.session, code);
}

/**
 * Changes the caller's password: every session of the account ends (sockets close), and this one
 * goes on with the tokens of a sign-in with the new password, in the answer. With two-factor on a
 * current code is needed too: this session's new tokens come from a sign-in with both factors.
 */
export async function changePassword(
  caller: Caller,
  input: { currentPassword: string; newPassword: string; code?: string | undefined },
) {
  const profile = await ownProfile(caller);
  const proof = await checkedOwnPassword(profile, input.currentPassword, 'currentPassword');
  if (accounts.isChallenge(proof)) return changePasswordWithTotp(profile, proof, input);
  const signedIn = proof;
  try {
    await accounts.changePassword(signedIn.accessToken, input.currentPassword, input.newPassword);
  } finally {
    await letGo(signedIn);
  }
  const endedAt = nowSeconds();
  await profiles.endSessionsBefore(profile.id, endedAt);
  await disconnectSessions(profile.id);
  await pastSecondOf(endedAt);
  const next = await accounts.signIn(profile.email, input.newPassword);
  if (accounts.isChallenge(next))
    throw new UnauthorizedError('Two-factor sign-in was turned on meanwhile: sign in again.');
  return signedInAs(next, { ...profile, sessionsEndedAt: endedAt });
}

/**
 * The two-factor way: a code is good once, so it answers one sign-in, made after the moment every
 * other session ends (by the second) and before the password changes; nothing has changed if the
 * code is wrong.
 */
async function changePasswordWithTotp(
  profile: UserProfile,
  challenge: accounts.TotpChallenge,
  input: { currentPassword: string; newPassword: string; code?: string | undefined },
) {
  const endedAt = nowSeconds();
  await pastSecondOf(endedAt);
  const signedIn = await answeredWithCode(profile, challenge, input.code);
  try {
    await accounts.changePassword(signedIn.accessToken, input.currentPassword, input.newPassword);
  } catch (error) {
    await letGo(signedIn);
    throw error;
  }
  await profiles.endSessionsBefore(profile.id, endedAt);
  await disconnectSessions(profile.id);
  return signedInAs(signedIn, { ...profile, sessionsEndedAt: endedAt });
}

/**
 * Asks for a new address: Cognito e-mails a code to it, and the old one stays the account's (for
 * signing in, for codes) until the code confirms the new one. The password is asked for: whoever
 * holds a session alone can't move the account to an address of theirs. A new request replaces
 * one that waits; a never-confirmed sign-up holding the address is replaced, as at sign-up.
 */
export async function changeEmail(caller: Caller, accessToken: string, input: { email: string; password: string }) {
  const profile = await ownProfile(caller);
  if (input.email.toLowerCase() === profile.email.toLowerCase()) {
    throw new ValidationError('That is your address already.', [{ path: 'body.email', message: 'Unchanged' }]);
  }
  const proof = await checkedOwnPassword(profile, input.password, 'password');
  if (!accounts.isChallenge(proof)) await letGo(proof);
  await takeQuota(addressSubject(input.email), 'codeSent');
  const holder = await accounts.findAccount(input.email);
  if (holder && holder.id !== profile.id && !(await removePendingSignUp(input.email))) {
    throw new ConflictError('An account with this email already exists.');
  }
  await accounts.startEmailChange(accessToken, input.email);
  await profiles.recordEmailChange(profile.id, { address: input.email, codeSentAt: nowSeconds() });
  return { email: profile.email, pendingEmail: input.email };
}

/** The caller's address, and a new one waiting for its code (null once its code has expired). */
export async function emailStatus(caller: Caller) {
  const profile = await ownProfile(caller);
  const change = await profiles.getEmailChange(profile.id);
  const waiting = change && !codeExpired('verifyEmail', change.codeSentAt, nowSeconds());
  return { email: profile.email, pendingEmail: waiting ? change.address : null };
}

/**
 * Confirms the new address with the code e-mailed to it: it becomes the account's (sign in with
 * it from now on), and the old address is told, so a change nobody asked for is noticed.
 */
export async function confirmEmailChange(caller: Caller, accessToken: string, code: string) {
  const profile = await ownProfile(caller);
  const change = await profiles.getEmailChange(profile.id);
  if (!change) throw new ConflictError('No new address is waiting for a code: ask for the change first.');
  await takeQuota(addressSubject(change.address), 'codeAttempt');
  if (codeExpired('verifyEmail', change.codeSentAt, nowSeconds())) throw codeRefused(CodeRefusal.Expired);
  await accounts.verifyEmail(accessToken, code).catch(async (error: unknown) => {
    // Cognito took the code on an earlier try whose answer was lost: finish that one.
    if ((await accounts.findAccount(profile.id))?.email !== change.address) throw error;
  });
  const changedAt = now();
  if (!(await profiles.completeEmailChange(profile.id, change.address, changedAt))) {
    throw new ConflictError('The change of address was replaced or finished meanwhile.');
  }
  await sendNotice(emailChangedNotice(profile.email, change.address));
  return toPublicUser({ ...profile, email: change.address, updatedAt: changedAt });
}

/** Starts setting up an authenticator app: its secret, and the `otpauth://` URI a QR code carries. */
export async function startTotpSetup(caller: Caller, accessToken: string) {
  const profile = await ownProfile(caller);
  if (profile.twoFactorSince !== undefined)
    throw new ConflictError('Two-factor sign-in is on already: turn it off first.');
  const secret = await accounts.startTotpSetup(accessToken);
  return { secret, uri: totpUri(profile.email, secret) };
}

/** Turns two-factor sign-in on with a first code from the app being set up. */
export async function enableTotp(caller: Caller, accessToken: string, code: string): Promise<PublicUser> {
  const profile = await ownProfile(caller);
  await takeQuota(addressSubject(profile.email), 'codeAttempt');
  await accounts.finishTotpSetup(accessToken, code);
  return toPublicUser((await profiles.setTwoFactor(profile.id, nowSeconds(), now())) ?? profile);
}

/** Turns two-factor sign-in off: the password and a current code, as a sign-in with both factors. */
export async function disableTotp(caller: Caller, input: { password: string; code: string }): Promise<PublicUser> {
  const profile = await ownProfile(caller);
  const proof = await checkedOwnPassword(profile, input.password, 'password');
  if (accounts.isChallenge(proof)) {
    const signedIn = await answeredWithCode(profile, proof, input.code);
    try {
      await accounts.setTotp(signedIn.accessToken, false);
    } finally {
      await letGo(signedIn);
    }
  } else {
    await letGo(proof); // Cognito asks for no code: off already (converging a half-done earlier attempt)
  }
  return toPublicUser((await profiles.setTwoFactor(profile.id, undefined, now())) ?? profile);
}

/**
 * Deletes the caller's own account, with the same effects as an admin's delete: sessions end,
 * sockets close, the profile stays as a tombstone so chats keep the name. An admin's account is
 * deleted by another admin (as through DELETE /users/{id}), so no one removes the last admin by a slip.
 */
export async function deleteMe(caller: Caller, password: string): Promise<void> {
  const profile = await ownProfile(caller);
  if (profile.role === 'ADMIN') throw new ConflictError("An admin's account is deleted by another admin.");
  const proof = await checkedOwnPassword(profile, password, 'password');
  if (!accounts.isChallenge(proof)) await letGo(proof);
  await profiles.markProfileDeleted(profile.id, now());
  await disconnectSessions(profile.id);
  await accounts.deleteAccount(profile.id);
}

async function ownProfile(caller: Caller): Promise<UserProfile> {
  const profile = profileRead(caller) ?? (await profiles.getProfile(caller.id));
  if (!profile || profile.deletedAt) throw new UnauthorizedError('This account no longer exists.');
  return profile;
}

/** The caller's own live profile (as the session check read it); a deleted account's leftover tokens get 401. */
export async function me(caller: Caller): Promise<PublicUser> {
  return toPublicUser(await ownProfile(caller));
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

/**
 * An admin sends a user a password reset code (a customer locked out of their account), kept in
 * the user's record. Only a confirmed address can get one; codes per address are limited as always.
 */
export async function sendPasswordReset(caller: Caller, targetId: string): Promise<void> {
  const profile = await liveProfile(targetId);
  if (profile.emailConfirmation) {
    throw new ConflictError(
      'Their address was never confirmed, so no code can go to it: they can sign up again with it.',
    );
  }
  await takeQuota(addressSubject(profile.email), 'codeSent');
  await accounts.startPasswordReset(profile.email);
  await profiles.recordResetCodeSent(profile.id, nowSeconds(), profile.passwordReset?.usedCode);
  await profiles.recordUserEvent(profile.id, {
    id: ulid(),
    type: 'PASSWORD_RESET_SENT',
    at: now(),
    by: { id: caller.id, role: caller.role },
  });
}

/**
 * An admin turns off a user's two-factor sign-in: a customer who lost the phone with their
 * authenticator app signs in with the password again (and may set up a new app). Kept in the
 * user's record, as a password reset sent is.
 */
export async function removeTwoFactor(caller: Caller, targetId: string): Promise<PublicUser> {
  const profile = await liveProfile(targetId);
  await accounts.turnOffTotpOf(profile.id); // also when the profile says off: converges a half-done earlier try
  if (profile.twoFactorSince === undefined) return toPublicUser(profile);
  const updated = await profiles.setTwoFactor(profile.id, undefined, now());
  await profiles.recordUserEvent(profile.id, {
    id: ulid(),
    type: 'TWO_FACTOR_REMOVED',
    at: now(),
    by: { id: caller.id, role: caller.role },
  });
  return toPublicUser(updated ?? profile);
}

const EVENTS_CURSOR_SCOPE = 'user-events';

export async function userEvents(targetId: string, limit: number, cursor: string | undefined) {
  await liveProfile(targetId);
  const scope = `${EVENTS_CURSOR_SCOPE}#${targetId}`;
  const page = await profiles.listUserEvents(targetId, limit, await decodeCursor(cursor, scope));
  return {
    items: page.items.map(({ id: _id, ...event }) => event),
    nextCursor: await encodeCursor(page.lastKey, scope),
  };
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
    // Converge a half-done earlier attempt.
    await accounts.setAdminGroup(targetId, role === 'ADMIN');
    await setRoster(targetId, role === 'ADMIN');
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
  // Who is e-mailed as an admin (the dispatcher checks the profile's role too, so a demotion stops them at once).
  await setRoster(targetId, role === 'ADMIN');
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

/** Whom an order may be assigned to is the orders' rule: this is the account as it is now (undefined: none). */
export async function assignCandidate(id: string) {
  const profile = await profiles.getProfile(id);
  if (!profile) return undefined;
  return { id: profile.id, name: profile.name, role: profile.role, deleted: profile.deletedAt !== undefined };
}

/**
 * A list's filters with a customer named by address (`customerEmail`) named by id instead: the
 * identity provider's answer, or null when the address is nobody's.
 */
export async function withCustomerId<F extends { customerEmail?: string | undefined; customerId?: string | undefined }>(
  filters: F,
): Promise<Omit<F, 'customerEmail'> & { customerId?: string | null | undefined }> {
  const { customerEmail, ...rest } = filters;
  if (customerEmail === undefined) return rest;
  return { ...rest, customerId: (await accounts.findAccount(customerEmail))?.id ?? null };
}

/**
 * Users whose name starts with `prefix` (any case), by name, as their profiles are now: one Query
 * of the lookup index, and one BatchGetItem of the profiles (a deleted account is left out).
 */
export async function findUsersByName(prefix: string, limit: number) {
  const ids = await profiles.idsByName(prefix, limit);
  const [found] = await batchLookup([profiles.profilesLookup(ids)] as const);
  const live = ids.flatMap((id) => {
    const profile = found.get(id);
    return profile && !profile.deletedAt ? [profile] : [];
  });
  return { items: live.map(({ id, name, email, role }) => ({ id, name, email, role })) };
}
