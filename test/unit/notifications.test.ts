import { describe, expect, it } from 'vitest';
import {
  compose,
  isEmpty,
  notBefore,
  preferencesOf,
  retryDelaySeconds,
  topicsOf,
  type Digest,
} from '#lambdas/notifications/notification.ts';
import { readUnsubscribeToken, unsubscribeToken } from '#lambdas/notifications/unsubscribe-token.ts';
import { ValidationError } from '#lambdas/shared/errors.ts';

const timing = { delaySeconds: 300, minGapSeconds: 1800, retrySeconds: 30 };
const digest = (change: Partial<Digest> = {}): Digest => ({
  orderDescription: 'Forty navy mugs with the logo',
  messages: [],
  moreMessages: 0,
  status: null,
  closedSummary: null,
  newOrder: false,
  ...change,
});
const links = {
  order: 'https://shop.example/app/#/orders/1',
  unsubscribe: 'https://shop.example/app/#/unsubscribe?token=t',
};
const line = { id: '01', senderName: 'Ada', createdAt: '2026-12-06T10:00:00.000Z', content: 'Navy it is.' };

describe('notification e-mails', () => {
  it('waits the gap after the last e-mail about a room, and doubles the wait after each failure', () => {
    expect(notBefore(undefined, timing)).toBeUndefined();
    const mailed = { key: 'k', sentAt: '2026-12-06T10:00:00.000Z', upTo: null, status: null, closed: false };
    expect(notBefore(mailed, timing)?.toISOString()).toBe('2026-12-06T10:30:00.000Z');
    expect([1, 2, 3, 4].map((attempts) => retryDelaySeconds(attempts, timing))).toEqual([30, 60, 120, 240]);
  });

  it('says what it tells, links the order and the unsubscribe, and names the topics the link turns off', () => {
    const messages = compose(digest({ messages: [line], moreMessages: 2 }), links, 'Bo', 'customer');
    expect(messages.subject).toBe('3 unread messages about your order “Forty navy mugs with the logo”');
    expect(messages.text).toContain('Ada wrote (2026-12-06T10:00:00.000Z):\nNavy it is.');
    expect(messages.text).toContain('… and 2 more.');
    expect(messages.text).toContain(`Open the order: ${links.order}`);
    expect(messages.text).toContain(`Stop these e-mails: ${links.unsubscribe}`);
    const status = compose(digest({ status: 'COMPLETED', closedSummary: 'Done.' }), links, 'Bo', 'customer');
    expect(status.subject).toBe('Your order “Forty navy mugs with the logo” was updated');
    expect(status.text).toContain('The order is now completed.');
    expect(compose(digest({ newOrder: true }), links, 'Ada', 'admins').subject).toBe(
      'New order: Forty navy mugs with the logo',
    );
    expect(topicsOf(digest({ messages: [line], status: 'PROCESSING' }))).toEqual(['messages', 'statusChanges']);
    expect(topicsOf(digest({ newOrder: true }))).toEqual(['newOrders']);
    expect(isEmpty(digest())).toBe(true);
  });

  it('takes every topic unless the user turned it off', () => {
    expect(preferencesOf(undefined)).toEqual({ messages: true, statusChanges: true, newOrders: true });
    expect(preferencesOf({ messages: false })).toEqual({ messages: false, statusChanges: true, newOrders: true });
  });
});

describe('unsubscribe links', () => {
  process.env.UNSUBSCRIBE_SECRET = 'unit-test-unsubscribe-secret-unit-test-unsubscribe';

  it('names the user and topics, and refuses a token anyone altered', async () => {
    const token = await unsubscribeToken('user-1', ['messages']);
    expect(await readUnsubscribeToken(token)).toEqual({ userId: 'user-1', topics: ['messages'] });
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'user-2', t: ['messages'] })).toString('base64url');
    await expect(readUnsubscribeToken(`${forged}.${signature}`)).rejects.toBeInstanceOf(ValidationError);
    await expect(readUnsubscribeToken(`${payload}.`)).rejects.toBeInstanceOf(ValidationError);
    await expect(readUnsubscribeToken('nonsense')).rejects.toBeInstanceOf(ValidationError);
  });
});
