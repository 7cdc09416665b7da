/**
 * Opaque, tamper-evident pagination cursors: the DynamoDB LastEvaluatedKey
 * plus the scope of the query it belongs to, HMAC-signed. A forged, altered
 * or foreign cursor is a 400, never somebody else's page.
 *
 * @example
 * const cursor = await encodeCursor(page.LastEvaluatedKey, 'users');
 * const startKey = await decodeCursor(query.cursor, 'users');
 */
import { ValidationError } from './errors.ts';
import { readToken, signToken } from './signed.ts';

export async function encodeCursor(
  lastKey: Record<string, unknown> | undefined,
  scope: string,
): Promise<string | null> {
  if (!lastKey) return null;
  return signToken({ k: lastKey, s: scope }, 'CURSOR_SECRET');
}

export async function decodeCursor(
  cursor: string | undefined,
  scope: string,
): Promise<Record<string, unknown> | undefined> {
  if (cursor === undefined) return undefined;
  // A cursor made before a rotation stays good with the previous key.
  const decoded = (await readToken(cursor, 'CURSOR_SECRET')) as { k: Record<string, unknown>; s: string } | undefined;
  if (decoded?.s !== scope) {
    throw new ValidationError('The cursor is invalid.', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  }
  return decoded.k;
}
