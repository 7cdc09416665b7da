/**
 * Correctly signed tokens the emulator would never hand out (expired ones),
 * and forged ones, for testing the authorizers. Signed with the key the runtime's
 * Cognito emulator made for its data folder (as its owner can read it) — never
 * anywhere near a deployed stage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** cognito-local signs every token with this key id (its key is the data folder's own). */
const emulatorKid = 'CognitoLocal';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = `${b64url({ alg: 'RS256', kid, typ: 'JWT' })}.${b64url(payload)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
}

/** Signed with the runtime's emulator key (its data folder's): valid except for what `payload` says. */
export function emulatorSignedToken(payload: Record<string, unknown>, dataDir: string): string {
  const key = JSON.parse(readFileSync(join(dataDir, 'cognito', 'signing-key.json'), 'utf8')) as { privatePem: string };
  return signJwt(payload, createPrivateKey(key.privatePem), emulatorKid);
}

/** Signed with the key pair cognito-local ships in its package, the same on every install: never trusted. */
export function packageKeyToken(payload: Record<string, unknown>): string {
  const shipped = require('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string };
  return signJwt(payload, createPrivateKey(shipped.pem), emulatorKid);
}

/** Same kid, but signed by a key nobody trusts. */
export function forgedToken(payload: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signJwt(payload, privateKey, emulatorKid);
}

export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}
