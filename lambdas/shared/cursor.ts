/**
 * Opaque, tamper-evident pagination cursors: the DynamoDB LastEvaluatedKey
 * plus the scope of the query it belongs to, HMAC-signed. A forged, altered
 * or foreign cursor is a 400, never somebody else's page.
 *
 * @example
 * const cursor = await encodeCursor(page.LastEvaluatedKey, 'users');
 * const startKey = await decodeCursor(query.cursor, 'users');
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors.ts';
import { secretValues, type SecretValues } from './secrets.ts';

const mac = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

async function cursorKeys(): Promise<SecretValues> {
  const keys = await secretValues('CURSOR_SECRET');
  if (!keys || keys.current.length < 32) throw new Error('CURSOR_SECRET is missing or shorter than 32 characters');
  return keys;
}

export async function encodeCursor(
  lastKey: Record<string, unknown> | undefined,
  scope: string,
): Promise<string | null> {
  if (!lastKey) return null;
  const payload = Buffer.from(JSON.stringify({ k: lastKey, s: scope })).toString('base64url');
  return `${payload}.${mac((await cursorKeys()).current, payload)}`;
}

export async function decodeCursor(
  cursor: string | undefined,
  scope: string,
): Promise<Record<string, unknown> | undefined> {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    new ValidationError('The cursor is invalid.', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  const [payload, signature] = cursor.split('.');
  if (!payload || !signature) throw invalid();
  const given = Buffer.from(signature);
  // A cursor made before a rotation stays good with the previous key.
  const signedWith = (key: string) => {
    const expected = Buffer.from(mac(key, payload));
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  if (!(await cursorKeys()).accepted.some(signedWith)) throw invalid();
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { k: Record<string, unknown>; s: string };
  if (decoded.s !== scope) throw invalid();
  return decoded.k;
}
