import * as z from 'zod';
import { passwordPolicy } from '../identity.ts';
import { ROLES } from '../shared/caller.ts';
import { Cursor, Limit, Line } from './common.ts';
import { namedCheck } from './named-checks.ts';

export const Role = z.enum(ROLES).meta({ id: 'Role' });

export const UserId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'Must be a user id (UUID)');

// Names set through the API can't pass for a role (checks.ts, roleWordProblem).
const Name = Line(2, 50).check(namedCheck('roleWordProblem'));
// The max's own message: a schema's message would otherwise answer for its checks too (zod's rule).
export const Email = z.email('Must be an email address').max(254, 'Must be at most 254 characters').toLowerCase();

/** The same rule as the Cognito user pool's password policy (lambdas/identity.ts). */
export const Password = z
  .string()
  .min(passwordPolicy.minLength, `Must be at least ${passwordPolicy.minLength} characters`)
  .max(passwordPolicy.maxLength, `Must be at most ${passwordPolicy.maxLength} characters`)
  .regex(/[A-Z]/, 'Must contain an upper-case letter')
  .regex(/[a-z]/, 'Must contain a lower-case letter')
  .regex(/[0-9]/, 'Must contain a digit')
  .regex(/[^A-Za-z0-9]/, 'Must contain a symbol');

export const User = z
  .object({
    id: UserId,
    name: z.string(),
    email: z.string(),
    role: Role,
    /** False until the account's e-mail address is confirmed with the code sent to it: it can't sign in before. */
    emailConfirmed: z.boolean(),
    /** True while signing in asks for a code from an authenticator app as well. */
    twoFactorEnabled: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'User',
    examples: [
      {
        id: '3f1c2b8e-9a4d-4c51-8f0e-2d6b7a9c1e55',
        name: 'Alice',
        email: 'alice@example.com',
        role: 'REGULAR',
        emailConfirmed: true,
        twoFactorEnabled: false,
        createdAt: '2026-11-29T12:00:00.000Z',
        updatedAt: '2026-11-29T12:00:00.000Z',
      },
    ],
  });

export const RegisterBody = z.strictObject({ name: Name, email: Email, password: Password }).meta({
  id: 'RegisterRequest',
  examples: [{ name: 'Alice', email: 'alice@example.com', password: 'Str0ng!Passw0rd' }],
});

/** An admin account an operator creates (create-admin, ADMIN_EMAIL): its name may say what it is. */
export const AdminAccountInput = RegisterBody.extend({ name: Line(2, 50) });
export const RegisterResponse = z.object({ user: User }).meta({ id: 'RegisterResponse' });

export const LoginBody = z
  .strictObject({ email: Email, password: z.string().min(1, 'Required').max(256) })
  .meta({ id: 'LoginRequest', examples: [{ email: 'alice@example.com', password: 'Str0ng!Passw0rd' }] });

const TokenString = z.string().min(1, 'Required').max(8192);
export const LoginResponse = z
  .object({
    accessToken: z.string(),
    idToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.int().min(1).max(86_400),
    tokenType: z.literal('Bearer'),
    user: User,
  })
  .meta({ id: 'LoginResponse' });

/** The 6 digits Cognito e-mails. */
const Code = z.string().regex(/^\d{6}$/, 'Must be the 6-digit code from the e-mail');
const CurrentPassword = z.string().min(1, 'Required').max(256);

export const ConfirmEmailBody = z.strictObject({ email: Email, password: CurrentPassword, code: Code }).meta({
  id: 'ConfirmEmailRequest',
  examples: [{ email: 'alice@example.com', password: 'Str0ng!Passw0rd', code: '123456' }],
});

export const ResendEmailCodeBody = z.strictObject({ email: Email, password: CurrentPassword }).meta({
  id: 'ResendEmailCodeRequest',
  examples: [{ email: 'alice@example.com', password: 'Str0ng!Passw0rd' }],
});

export const ForgotPasswordBody = z
  .strictObject({ email: Email })
  .meta({ id: 'ForgotPasswordRequest', examples: [{ email: 'alice@example.com' }] });

export const ResetPasswordBody = z.strictObject({ email: Email, code: Code, password: Password }).meta({
  id: 'ResetPasswordRequest',
  examples: [{ email: 'alice@example.com', code: '123456', password: 'N3w!Passw0rd' }],
});

/** A code an authenticator app shows (Cognito's TOTP: 6 digits, a new one every 30 seconds). */
const AppCode = z.string().regex(/^\d{6}$/, 'Must be the 6-digit code your authenticator app shows');
/** Cognito's session of a sign-in waiting for its second factor (opaque; AWS: 20–2048 characters). */
const ChallengeSession = z.string().min(1).max(2048);

export const ChangePasswordBody = z
  .strictObject({
    currentPassword: CurrentPassword,
    newPassword: Password,
    /** Required while two-factor sign-in is on. */
    code: AppCode.optional(),
  })
  .meta({
    id: 'ChangePasswordRequest',
    examples: [{ currentPassword: 'Str0ng!Passw0rd', newPassword: 'N3w!Passw0rd' }],
  });

export const TotpChallenge = z
  .object({
    challenge: z.literal('TOTP'),
    /** Send it back with the code to POST /auth/login/totp; good for one answer, within 3 minutes. */
    session: z.string(),
  })
  .meta({ id: 'TotpChallenge', examples: [{ challenge: 'TOTP', session: 'AYABeC…' }] });

export const TotpLoginBody = z.strictObject({ email: Email, session: ChallengeSession, code: AppCode }).meta({
  id: 'TotpLoginRequest',
  examples: [{ email: 'alice@example.com', session: 'AYABeC…', code: '123456' }],
});

export const TotpSetup = z
  .object({
    /** The app's secret (base32), for typing in by hand. */
    secret: z.string(),
    /** The same as an `otpauth://` URI, the content of the QR code an app scans. */
    uri: z.string(),
  })
  .meta({
    id: 'TotpSetup',
    examples: [
      {
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        uri: 'otpauth://totp/Order%20Chat:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Order%20Chat&algorithm=SHA1&digits=6&period=30',
      },
    ],
  });

export const ChangeEmailBody = z.strictObject({ email: Email, password: CurrentPassword }).meta({
  id: 'ChangeEmailRequest',
  examples: [{ email: 'alice@new.example.com', password: 'Str0ng!Passw0rd' }],
});

export const EmailStatus = z
  .object({
    /** The address you sign in with. */
    email: z.string(),
    /** A new address waiting for the code e-mailed to it (POST /users/me/email/confirm), or null. */
    pendingEmail: z.string().nullable(),
  })
  .meta({ id: 'EmailStatus', examples: [{ email: 'alice@example.com', pendingEmail: 'alice@new.example.com' }] });

export const ConfirmEmailChangeBody = z
  .strictObject({ code: Code })
  .meta({ id: 'ConfirmEmailChangeRequest', examples: [{ code: '123456' }] });

export const EnableTotpBody = z
  .strictObject({ code: AppCode })
  .meta({ id: 'EnableTotpRequest', examples: [{ code: '123456' }] });

export const DisableTotpBody = z
  .strictObject({ password: CurrentPassword, code: AppCode })
  .meta({ id: 'DisableTotpRequest', examples: [{ password: 'Str0ng!Passw0rd', code: '123456' }] });

export const DeleteMeBody = z
  .strictObject({ password: CurrentPassword })
  .meta({ id: 'DeleteMeRequest', examples: [{ password: 'Str0ng!Passw0rd' }] });

export const RefreshBody = z.strictObject({ refreshToken: TokenString }).meta({ id: 'RefreshRequest' });
export const RefreshResponse = z
  .object({ accessToken: z.string(), idToken: z.string(), expiresIn: z.int().min(1).max(86_400) })
  .meta({ id: 'RefreshResponse' });

export const LogoutBody = z.strictObject({ refreshToken: TokenString }).meta({ id: 'LogoutRequest' });

export const UpdateMeBody = z.strictObject({ name: Name }).meta({ id: 'UpdateMeRequest' });

export const ListUsersQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
export const UserPage = z.object({ items: z.array(User), nextCursor: z.string().nullable() }).meta({ id: 'UserPage' });

export const UserIdParams = z.object({ id: UserId });

/** What was done to an account by someone else, kept in its record (today: an admin sent it a password reset). */
export const UserEvent = z
  .object({
    type: z.enum(['PASSWORD_RESET_SENT', 'TWO_FACTOR_REMOVED']),
    at: z.iso.datetime(),
    by: z.object({ id: UserId, role: Role }),
  })
  .meta({ id: 'UserEvent' });
export const UserEventPage = z
  .object({ items: z.array(UserEvent), nextCursor: z.string().nullable() })
  .meta({ id: 'UserEventPage' });
export const ChangeRoleBody = z.strictObject({ role: Role }).meta({ id: 'ChangeRoleRequest' });

export const UserSearchQuery = z.strictObject({
  name: Line(1, 50).meta({ description: 'The first letters of the name' }),
  limit: Limit,
});
export const UserMatches = z
  .object({ items: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), role: Role })) })
  .meta({ id: 'UserMatches' });
