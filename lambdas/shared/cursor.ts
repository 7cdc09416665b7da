/**
 * Opaque, tamper-evident pagination cursors: the DynamoDB LastEvaluatedKey
 * plus the scope of the query it belongs to, HMAC-signed. A forged, altered
 * or foreign cursor is a 400, never somebody else's page.
 *
 * @example
 * const cursor = encodeCursor(page.LastEvaluatedKey, 'users');
 * const startKey = decodeCursor(query.cursor, 'users');
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readEnv } from './env.ts';
import { ValidationError } from './errors.ts';

const env = /* @__PURE__ */ readEnv({ CURSOR_SECRET: { minLength: 32 } });

const mac = (payload: string) => createHmac('sha256', env.CURSOR_SECRET).update(payload).digest('base64url');

export function encodeCursor(lastKey: Record<string, unknown> | undefined, scope: string): string | null {
  if (!lastKey) return null;
  const payload = Buffer.from(JSON.stringify({ k: lastKey, s: scope })).toString('base64url');
  return `${payload}.${mac(payload)}`;
}

export function decodeCursor(cursor: string | undefined, scope: string): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    new ValidationError('The cursor is invalid.', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  const [payload, signature] = cursor.split('.');
  if (!payload || !signature) throw invalid();
  const expected = Buffer.from(mac(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { k: Record<string, unknown>; s: string };
  if (decoded.s !== scope) throw invalid();
  return decoded.k;
}
