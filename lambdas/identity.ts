/**
 * Identity settings shared by the API's validation, the CDK user pool and the
 * local Cognito emulator, so the three can never disagree.
 */
export const passwordPolicy = {
  minLength: 8,
  maxLength: 64,
  requireUppercase: true,
  requireLowercase: true,
  requireDigits: true,
  requireSymbols: true,
} as const;

export const tokenValidity = {
  accessTokenMinutes: 15,
  idTokenMinutes: 15,
  refreshTokenDays: 30,
} as const;

/**
 * How long a sign-in waits for its second factor (the app client's auth session validity, 3–15
 * minutes in AWS): the challenge's session is good for one answer within it.
 */
export const challengeSessionMinutes = 3;

export const USER_POOL_NAME = 'order-chat';
export const USER_POOL_CLIENT_NAME = 'order-chat-api';
export { ADMIN_GROUP } from './shared/caller.ts';

/**
 * Cognito's verification message: it sends this one for every code — confirming an e-mail address
 * (at sign-up, or a new one) and resetting a password — with `{####}` replaced by the code.
 */
export const verificationEmail = {
  subject: 'Your Order Chat code',
  message:
    'Your Order Chat code is {####}\n\n' +
    'Enter it where you asked for it: it confirms your e-mail address, or lets you set a new password. ' +
    'If you asked for nothing, ignore this e-mail: nobody can use your account without the code.',
} as const;

/** How long Cognito's codes hold (AWS: 24 hours for an e-mail address's, 1 hour for a password reset's). */
export const codeLifetimeSeconds = {
  verifyEmail: 24 * 60 * 60,
  resetPassword: 60 * 60,
} as const;

/** Offline, what Cognito's e-mails come from (a deployed stage names its own: lib/config.ts). */
export const LOCAL_EMAIL_FROM = 'Order Chat <no-reply@order-chat.localhost>';
