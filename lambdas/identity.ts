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

export const USER_POOL_NAME = 'order-chat';
export const USER_POOL_CLIENT_NAME = 'order-chat-api';
export { ADMIN_GROUP } from './shared/caller.ts';
