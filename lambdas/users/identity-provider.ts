/**
 * Secondary adapter: Amazon Cognito, the source of truth for credentials and
 * group membership. Only calls that both AWS and the offline emulator support
 * are used (no GlobalSignOut), so one code path runs in both. Cognito's
 * errors become our typed errors here and nowhere else.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AliasExistsException,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  CodeMismatchException,
  EnableSoftwareTokenMFAException,
  ConfirmForgotPasswordCommand,
  ExpiredCodeException,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  InvalidParameterException,
  InvalidPasswordException,
  LimitExceededException,
  NotAuthorizedException,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  TooManyRequestsException,
  UnsupportedTokenTypeException,
  UpdateUserAttributesCommand,
  UserNotFoundException,
  UsernameExistsException,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ADMIN_GROUP } from '../shared/caller.ts';
import { cognito } from '../shared/cognito-client.ts';
import { readEnv } from '../shared/env.ts';
import { ConflictError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../shared/errors.ts';
import { CodeRefusal, codeRefused } from './codes.ts';

const env = /* @__PURE__ */ readEnv({ USER_POOL_ID: {}, USER_POOL_CLIENT_ID: {} });
const UserPoolId = env.USER_POOL_ID;
const ClientId = env.USER_POOL_CLIENT_ID;

const RETRY_AFTER_SECONDS = 5;
const WRONG_CREDENTIALS = 'Incorrect email or password.';

/** Maps Cognito's exceptions to answers a client can act on; anything else stays a 500. */
export function fromCognitoError(error: unknown, context: 'sign-in' | 'refresh' | 'other' = 'other'): unknown {
  // cognito-local answers a wrong password at sign-in with InvalidPasswordException where
  // AWS says NotAuthorizedException; either way the caller must not learn which part was wrong.
  if (context === 'sign-in' && error instanceof InvalidPasswordException)
    return new UnauthorizedError(WRONG_CREDENTIALS);
  if (error instanceof UsernameExistsException || error instanceof AliasExistsException) {
    return new ConflictError('An account with this email already exists.');
  }
  if (error instanceof InvalidPasswordException) {
    return new ValidationError('The password does not meet the password policy.', [
      { path: 'body.password', message: error.message },
    ]);
  }
  if (error instanceof NotAuthorizedException || error instanceof UserNotFoundException) {
    if (context === 'sign-in') return new UnauthorizedError(WRONG_CREDENTIALS);
    if (context === 'refresh') return new UnauthorizedError('The refresh token is invalid, expired or revoked.');
    return error instanceof UserNotFoundException ? error : new UnauthorizedError('Not authorized.');
  }
  if (error instanceof TooManyRequestsException || error instanceof LimitExceededException) {
    return new TooManyRequestsError('Too many requests; retry later.', RETRY_AFTER_SECONDS);
  }
  if (
    context === 'refresh' &&
    (error instanceof InvalidParameterException || error instanceof UnsupportedTokenTypeException)
  ) {
    return new UnauthorizedError('The refresh token is invalid, expired or revoked.');
  }
  return error;
}

async function call<T>(send: () => Promise<T>, context?: 'sign-in' | 'refresh' | 'other'): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw fromCognitoError(error, context);
  }
}

export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
  expiresIn: number;
  /** Epoch seconds of the sign-in these tokens belong to. */
  sessionStartedAt: number;
}

/** Claims of a token Cognito just handed us (no verification needed: it came straight from Cognito). */
interface TokenClaims {
  sub?: string;
  exp?: number;
  iat?: number;
  auth_time?: number;
  /** In AWS: the sign-in a refreshed access token belongs to. */
  origin_jti?: string;
}

function claimsOf(token: string): TokenClaims {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    return claims !== null && typeof claims === 'object' ? (claims as TokenClaims) : {};
  } catch {
    return {}; // AWS refresh tokens are encrypted (JWE): nothing to read
  }
}

/**
 * When the sign-in behind these tokens happened. AWS keeps `auth_time` of the
 * original sign-in on refreshed access tokens; the emulator stamps a refresh with
 * a new one but its refresh token (a plain JWT) carries the sign-in's `iat`.
 */
function sessionStartOf(accessToken: string, refreshToken?: string): number {
  const access = claimsOf(accessToken);
  const started = access.auth_time ?? access.iat ?? Math.floor(Date.now() / 1000);
  const signedIn = refreshToken ? claimsOf(refreshToken).iat : undefined;
  return typeof signedIn === 'number' ? Math.min(started, signedIn) : started;
}

function subjectOf(idToken: string): string {
  const { sub } = claimsOf(idToken);
  if (!sub) throw new Error('Cognito returned an ID token without a subject');
  return sub;
}

/** Cognito's ExpiresIn, or (the emulator leaves it out on refresh) what the access token's exp says. */
function expiresInOf(accessToken: string, given: number | undefined): number {
  if (given) return given;
  return Math.max(0, (claimsOf(accessToken).exp ?? 0) - Math.floor(Date.now() / 1000));
}

/**
 * Creates an account with a permanent password; its e-mail address counts as verified only when
 * told (an operator's admin account), else Cognito sends it a code (`sendEmailCode`). The pool
 * allows no self sign-up (only this API creates accounts, so no account can exist without its
 * profile), hence the admin calls. A password Cognito refuses removes the half-made account again.
 */
export async function signUp(email: string, password: string, options = { emailVerified: false }): Promise<string> {
  const created = await call(() =>
    cognito().send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: String(options.emailVerified) },
        ],
      }),
    ),
  );
  const id = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? (await findAccount(email))?.id;
  if (!id) throw new Error(`Cognito created ${email} without a subject`);
  try {
    await call(() =>
      cognito().send(
        new AdminSetUserPasswordCommand({ UserPoolId, Username: id, Password: password, Permanent: true }),
      ),
    );
  } catch (error) {
    await deleteAccount(id);
    throw error;
  }
  return id;
}

export type SignedIn = Tokens & { userId: string };

/** The password was right and the account has two-factor on: Cognito asks for a code from its authenticator app. */
export interface TotpChallenge {
  challenge: 'TOTP';
  /** Cognito's session of this sign-in: answered once, within the client's auth session validity. */
  session: string;
}

export const isChallenge = (result: SignedIn | TotpChallenge): result is TotpChallenge => 'challenge' in result;

function signedInWith(auth: AuthenticationResultType | undefined): SignedIn {
  if (!auth?.AccessToken || !auth.IdToken) throw new UnauthorizedError(WRONG_CREDENTIALS);
  return {
    accessToken: auth.AccessToken,
    idToken: auth.IdToken,
    ...(auth.RefreshToken ? { refreshToken: auth.RefreshToken } : {}),
    expiresIn: expiresInOf(auth.AccessToken, auth.ExpiresIn),
    sessionStartedAt: sessionStartOf(auth.AccessToken),
    userId: subjectOf(auth.IdToken),
  };
}

/** Tokens, or (two-factor on) the challenge for a code from the account's authenticator app. */
export async function signIn(email: string, password: string): Promise<SignedIn | TotpChallenge> {
  const result = await call(
    () =>
      cognito().send(
        new InitiateAuthCommand({
          ClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      ),
    'sign-in',
  );
  if (result.ChallengeName === 'SOFTWARE_TOKEN_MFA' && result.Session) {
    return { challenge: 'TOTP', session: result.Session };
  }
  // Any other challenge (e.g. NEW_PASSWORD_REQUIRED) is not something this API completes.
  return signedInWith(result.AuthenticationResult);
}

/**
 * Finishes a sign-in Cognito challenged for a code from the authenticator app. A wrong code is a
 * 400 on `body.code`; a session Cognito no longer takes (expired, or answered already) a 400 on
 * `body.session`: the sign-in starts again with the password.
 */
export async function answerTotpChallenge(email: string, session: string, code: string): Promise<SignedIn> {
  try {
    const result = await cognito().send(
      new RespondToAuthChallengeCommand({
        ClientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: session,
        ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
      }),
    );
    return signedInWith(result.AuthenticationResult);
  } catch (error) {
    if (error instanceof NotAuthorizedException || error instanceof UserNotFoundException) {
      throw new ValidationError('This sign-in has expired: sign in again with your password.', [
        { path: 'body.session', message: CodeRefusal.Expired },
      ]);
    }
    throw fromTotpError(error);
  }
}

const WRONG_TOTP = 'The code is wrong: enter the one your authenticator app shows now.';

/** A code from the authenticator app Cognito refused: wrong (its own, or an expired one, or one used already). */
function fromTotpError(error: unknown): unknown {
  if (
    error instanceof CodeMismatchException ||
    error instanceof ExpiredCodeException ||
    // AWS's answer to a wrong first code from a new app
    error instanceof EnableSoftwareTokenMFAException
  ) {
    return codeRefused(CodeRefusal.Wrong, WRONG_TOTP);
  }
  return fromCognitoError(error);
}

/** Starts setting up an authenticator app for the session `accessToken` belongs to: the app's secret (base32). */
export async function startTotpSetup(accessToken: string): Promise<string> {
  const result = await call(() => cognito().send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken })));
  if (!result.SecretCode) throw new Error('Cognito associated a software token without a secret');
  return result.SecretCode;
}

/**
 * Confirms the authenticator app with a first code from it and makes it the account's second
 * factor (Cognito asks for a code at every sign-in from then on).
 */
export async function finishTotpSetup(accessToken: string, code: string): Promise<void> {
  try {
    await cognito().send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: code }));
  } catch (error) {
    if (error instanceof InvalidParameterException) {
      throw new ConflictError('No authenticator app is being set up: start again.');
    }
    throw fromTotpError(error);
  }
  await setTotp(accessToken, true);
}

/** An admin turns a user's authenticator app off (lost with their phone): the password alone signs in again. */
export async function turnOffTotpOf(userId: string): Promise<void> {
  await call(() =>
    cognito().send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId,
        Username: userId,
        SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
      }),
    ),
  );
}

/** Turns the authenticator app on or off as the second factor of the session `accessToken` belongs to. */
export async function setTotp(accessToken: string, enabled: boolean): Promise<void> {
  await call(() =>
    cognito().send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
      }),
    ),
  );
}

export async function refresh(refreshToken: string): Promise<Tokens & { userId: string }> {
  const result = await call(
    () =>
      cognito().send(
        new InitiateAuthCommand({
          ClientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      ),
    'refresh',
  );
  const auth = result.AuthenticationResult;
  if (!auth?.AccessToken || !auth.IdToken)
    throw new UnauthorizedError('The refresh token is invalid, expired or revoked.');
  return {
    accessToken: auth.AccessToken,
    idToken: auth.IdToken,
    expiresIn: expiresInOf(auth.AccessToken, auth.ExpiresIn),
    sessionStartedAt: sessionStartOf(auth.AccessToken, refreshToken),
    userId: subjectOf(auth.IdToken),
  };
}

/**
 * Whose sign-in a refresh token belongs to, as Cognito says by refreshing it: the user, and (in AWS,
 * where refreshed tokens carry it) the sign-in's `origin_jti`. Undefined for a token Cognito refuses.
 */
export async function refreshTokenOwner(
  refreshToken: string,
): Promise<{ userId: string; sessionId?: string } | undefined> {
  try {
    const tokens = await refresh(refreshToken);
    const originJti = claimsOf(tokens.accessToken).origin_jti;
    return { userId: tokens.userId, ...(typeof originJti === 'string' && originJti ? { sessionId: originJti } : {}) };
  } catch (error) {
    if (error instanceof UnauthorizedError) return undefined;
    throw error;
  }
}

/** RevokeToken also invalidates, inside Cognito, the access tokens issued from this refresh token. */
export async function revoke(refreshToken: string): Promise<void> {
  await call(() => cognito().send(new RevokeTokenCommand({ ClientId, Token: refreshToken })), 'refresh');
}

export async function setAdminGroup(username: string, isAdmin: boolean): Promise<void> {
  const input = { UserPoolId, Username: username, GroupName: ADMIN_GROUP };
  await call(() =>
    cognito().send(isAdmin ? new AdminAddUserToGroupCommand(input) : new AdminRemoveUserFromGroupCommand(input)),
  );
}

/** Resolves false when there was no such user (a converging retry). */
export async function deleteAccount(username: string): Promise<boolean> {
  try {
    await cognito().send(new AdminDeleteUserCommand({ UserPoolId, Username: username }));
    return true;
  } catch (error) {
    if (error instanceof UserNotFoundException) return false;
    throw fromCognitoError(error);
  }
}

export async function findAccount(
  username: string,
): Promise<{ id: string; email: string; emailVerified: boolean } | undefined> {
  try {
    const user = await cognito().send(new AdminGetUserCommand({ UserPoolId, Username: username }));
    const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value;
    return {
      id: attribute('sub') ?? user.Username!,
      email: attribute('email') ?? username,
      emailVerified: attribute('email_verified') === 'true',
    };
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw fromCognitoError(error);
  }
}

/** Creates the account, or resets its password if it exists; returns its subject id. */
export async function createOrResetAccount(email: string, password: string): Promise<string> {
  const existing = await findAccount(email);
  if (!existing) return signUp(email, password, { emailVerified: true });
  await call(() =>
    cognito().send(
      new AdminSetUserPasswordCommand({ UserPoolId, Username: existing.id, Password: password, Permanent: true }),
    ),
  );
  // An operator vouches for the address: a sign-up of it that never confirmed is confirmed now.
  if (!existing.emailVerified) {
    await call(() =>
      cognito().send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId,
          Username: existing.id,
          UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
        }),
      ),
    );
  }
  return existing.id;
}

/** Cognito's answers to a code: which way it was refused, or the error as it is. */
function fromCodeError(error: unknown): unknown {
  if (error instanceof CodeMismatchException) return codeRefused(CodeRefusal.Wrong);
  if (error instanceof ExpiredCodeException) return codeRefused(CodeRefusal.Expired);
  return fromCognitoError(error);
}

/**
 * Has Cognito e-mail a new code that confirms the address, through the session `accessToken`
 * belongs to (the pool's verification message: lambdas/identity.ts).
 */
export async function sendEmailCode(accessToken: string): Promise<void> {
  await call(() =>
    cognito().send(new GetUserAttributeVerificationCodeCommand({ AccessToken: accessToken, AttributeName: 'email' })),
  );
}

/** Confirms the e-mail address of the session `accessToken` belongs to with the code Cognito sent. */
export async function verifyEmail(accessToken: string, code: string): Promise<void> {
  try {
    await cognito().send(
      new VerifyUserAttributeCommand({ AccessToken: accessToken, AttributeName: 'email', Code: code }),
    );
  } catch (error) {
    throw fromCodeError(error);
  }
}

/**
 * Asks Cognito to make `email` the address of the session `accessToken` belongs to. The pool keeps
 * the old address until the new one is confirmed with the code Cognito e-mails to the new one
 * (`verifyEmail`); an address another account has is a 409.
 */
export async function startEmailChange(accessToken: string, email: string): Promise<void> {
  await call(() =>
    cognito().send(
      new UpdateUserAttributesCommand({ AccessToken: accessToken, UserAttributes: [{ Name: 'email', Value: email }] }),
    ),
  );
}

/**
 * Has Cognito e-mail a password reset code. An address Cognito can't send one to (no such account,
 * an unverified address) is no error: the caller must not learn which addresses have accounts.
 */
export async function startPasswordReset(email: string): Promise<void> {
  try {
    await cognito().send(new ForgotPasswordCommand({ ClientId, Username: email }));
  } catch (error) {
    const mapped = fromCognitoError(error);
    if (
      error instanceof UserNotFoundException ||
      error instanceof InvalidParameterException ||
      mapped instanceof UnauthorizedError
    ) {
      return;
    }
    throw mapped;
  }
}

/** Sets a new password with the code Cognito e-mailed. */
export async function finishPasswordReset(email: string, code: string, password: string): Promise<void> {
  try {
    await cognito().send(
      new ConfirmForgotPasswordCommand({ ClientId, Username: email, ConfirmationCode: code, Password: password }),
    );
  } catch (error) {
    if (error instanceof UserNotFoundException || error instanceof NotAuthorizedException) {
      throw codeRefused(CodeRefusal.Wrong);
    }
    throw fromCodeError(error);
  }
}

/** Changes the password of the session `accessToken` belongs to (Cognito checks the current one again). */
export async function changePassword(accessToken: string, current: string, proposed: string): Promise<void> {
  try {
    await cognito().send(
      new ChangePasswordCommand({ AccessToken: accessToken, PreviousPassword: current, ProposedPassword: proposed }),
    );
  } catch (error) {
    if (error instanceof InvalidPasswordException) {
      throw new ValidationError('The new password does not meet the password policy.', [
        { path: 'body.newPassword', message: error.message },
      ]);
    }
    throw fromCognitoError(error);
  }
}
