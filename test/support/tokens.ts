/**
 * Correctly signed tokens the emulator would never hand out (expired ones),
 * and forged ones, for testing the authorizers. Uses the key pair that ships
 * inside cognito-local — never anywhere near a deployed stage.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const emulatorKey = require('cognito-local/lib/keys/cognitoLocal.private.json') as { jwk: Record<string, string> };
const emulatorKid = emulatorKey.jwk.kid!;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = `${b64url({ alg: 'RS256', kid, typ: 'JWT' })}.${b64url(payload)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
}

/** Signed with the emulator's own key: valid except for what `payload` says. */
export function emulatorSignedToken(payload: Record<string, unknown>): string {
  return signJwt(payload, createPrivateKey({ key: emulatorKey.jwk as any, format: 'jwk' }), emulatorKid);
}

/** Same kid, but signed by a key nobody trusts. */
export function forgedToken(payload: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signJwt(payload, privateKey, emulatorKid);
}

export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}
