/** What each user wants to be e-mailed about: their own preferences, and the e-mails' one-click unsubscribe. */
import type { Caller } from '../shared/caller.ts';
import type { NotificationPreferences } from './notification.ts';
import { preferencesOf, updatePreferences } from './repository.ts';
import { readUnsubscribeToken } from './unsubscribe-token.ts';

export async function myPreferences(caller: Caller): Promise<NotificationPreferences> {
  return (await preferencesOf([caller.id])).get(caller.id)!;
}

export async function changeMyPreferences(
  caller: Caller,
  change: Partial<NotificationPreferences>,
): Promise<NotificationPreferences> {
  return updatePreferences(caller.id, change, new Date().toISOString());
}

/**
 * The link of an e-mail: turns off the topics it spoke of, for the user it was sent to. Doing it
 * twice is the same as once (RFC 8058's POST may be repeated by a mail client).
 */
export async function unsubscribe(token: string): Promise<void> {
  const { userId, topics } = await readUnsubscribeToken(token);
  if (topics.length === 0) return;
  await updatePreferences(userId, Object.fromEntries(topics.map((topic) => [topic, false])), new Date().toISOString());
}
