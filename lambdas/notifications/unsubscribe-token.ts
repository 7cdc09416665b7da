/**
 * The signed one-click unsubscribe link of every notification e-mail (RFC 8058): it names the user
 * and the topics the e-mail spoke of, and only the stage's key makes one. No expiry: a link in an
 * old e-mail still stops the mail.
 */
import { ValidationError } from '../shared/errors.ts';
import { readToken, signToken } from '../shared/signed.ts';
import type { Topic } from './notification.ts';

const TOPICS: readonly Topic[] = ['messages', 'statusChanges', 'newOrders'];

export async function unsubscribeToken(userId: string, topics: readonly Topic[]): Promise<string> {
  return signToken({ u: userId, t: topics }, 'UNSUBSCRIBE_SECRET', 'unsubscribe');
}

/** Whose topics a token stops; a forged or altered token is a 400. */
export async function readUnsubscribeToken(token: string): Promise<{ userId: string; topics: Topic[] }> {
  const decoded = (await readToken(token, 'UNSUBSCRIBE_SECRET', 'unsubscribe')) as
    { u: string; t: Topic[] } | undefined;
  if (!decoded) {
    throw new ValidationError('The unsubscribe link is invalid.', [{ path: 'query.token', message: 'Invalid token' }]);
  }
  return { userId: decoded.u, topics: decoded.t.filter((topic) => TOPICS.includes(topic)) };
}
