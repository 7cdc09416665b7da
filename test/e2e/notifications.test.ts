// End-to-end, on a runtime of its own: e-mail for whoever is away. The delay is 1 s, the gap
// between two e-mails about one room 5 s, a failed send is retried after 0.5, 1, 2, 4 s, and the
// dispatcher runs every half second: the stage's timing, shortened through the runtime's configuration.
// The mailbox is the SES emulator, run here so that it can fail (stop) and come back on its port.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startMailbox, type Mailbox } from '#local/mailbox.ts';
import { inbox, mailWith } from '../support/mailbox.ts';
import { spawnRuntime, type RuntimeProcess } from '../support/runtime-process.ts';
import { BOOTSTRAP_ADMIN } from './bootstrap-admin.ts';
import {
  api,
  bootstrapAdmin,
  newAdmin,
  newUser,
  placeOrder,
  runtime,
  runtimeTables,
  socketsClosedAfterEach,
  useRuntime,
  type Session,
} from './support.ts';

const DELAY_MS = 1000;
const GAP_MS = 5000;
const secret = randomBytes(24).toString('base64url');
let mailbox: Mailbox;
let mailboxPort: number;
let own: RuntimeProcess;
let restore: (() => void) | undefined;

beforeAll(async () => {
  mailbox = await startMailbox(0);
  mailboxPort = Number(new URL(mailbox.url).port);
  own = spawnRuntime({
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    REQUEST_LOG: 'off',
    LOCAL_AWS_SECRET: secret,
    LOCAL_MAILBOX_URL: mailbox.url,
    NOTIFY_DELAY_SECONDS: String(DELAY_MS / 1000),
    NOTIFY_GAP_SECONDS: String(GAP_MS / 1000),
    NOTIFY_RETRY_SECONDS: '0.5',
    NOTIFY_POLL_SECONDS: '0.5',
    ADMIN_EMAIL: BOOTSTRAP_ADMIN.email,
    ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
    ADMIN_NAME: BOOTSTRAP_ADMIN.name,
  });
  restore = useRuntime(await own.ready);
}, 90_000);
afterAll(async () => {
  restore?.();
  await own?.stop();
  await mailbox?.stop();
});
const sockets = socketsClosedAfterEach();

async function joined(session: Session, roomId: string) {
  const c = await sockets.ticket(session);
  c.send({ action: 'joinRoom', roomId });
  await c.next((f) => f.type === 'chatHistory');
  return c;
}

type Socket = Awaited<ReturnType<typeof joined>>;

async function say(c: Socket, roomId: string, content: string) {
  c.send({ action: 'sendMessage', roomId, content });
  return (await c.next((f) => f.type === 'newMessage' && f.message.content === content)).message as { id: string };
}

/** The e-mails to `session` whose text mentions `text` (other tests' e-mails to admins are there too). */
const mailsAbout = async (session: Session, text: string) =>
  (await inbox(runtime.mailboxUrl, session.email)).filter((mail) => mail.text.includes(text));

const mailAbout = (session: Session, text: string, timeoutMs?: number) =>
  mailWith(runtime.mailboxUrl, session.email, text, timeoutMs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for anything due to have been sent: the delay, two dispatcher runs and some slack. */
const settle = () => sleep(DELAY_MS + 2000);

/** A customer's order whose customer wrote and left: an admin answers with `answer`. */
async function answeredWhileAway(customer: Session, admin: Session, answer: string) {
  const { id: roomId } = await placeOrder(customer, `Notified order ${answer}`);
  const mine = await joined(customer, roomId);
  await say(mine, roomId, 'Can it be navy?');
  await mine.close();
  const theirs = await joined(admin, roomId);
  const message = await say(theirs, roomId, answer);
  await theirs.close();
  return { roomId, message };
}

describe('e-mail for whoever is away', () => {
  it('e-mails a customer who left the answer, with a link that opens the order and a one-click unsubscribe', async () => {
    const [customer, admin] = await Promise.all([newUser('awaycustomer'), newAdmin('away')]);
    const answer = `Navy is fine ${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const { roomId } = await answeredWhileAway(customer, admin, answer);

    const mail = await mailAbout(customer, answer);
    // Not before the delay.
    expect(Date.now() - started).toBeGreaterThanOrEqual(DELAY_MS);
    expect(mail.subject).toMatch(/^1 unread message about your order/);
    expect(mail.text).toContain(`${admin.user.name} wrote`);
    expect(mail.text).toContain(`${runtime.httpUrl.replace('127.0.0.1', 'localhost')}/app/#/orders/${roomId}`);
    expect(mail.text).toMatch(/#\/unsubscribe\?token=/);
    // RFC 8058: an HTTPS (here the gateway's) link, and the one-click POST.
    expect(mail.headers['list-unsubscribe']).toMatch(
      new RegExp(`^<${runtime.httpUrl.replace('127.0.0.1', 'localhost')}/notifications/unsubscribe\\?token=[^>]+>$`),
    );
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    // The customer's own question is not news to them.
    expect(mail.text).not.toContain('Can it be navy?');
    // One e-mail, however many times the dispatcher ran since.
    await settle();
    expect(await mailsAbout(customer, answer)).toHaveLength(1);
  });

  it('sends nothing to whoever read it first, or is in the room', async () => {
    const [customer, admin] = await Promise.all([newUser('readfirst'), newAdmin('readfirst')]);
    const { id: roomId } = await placeOrder(customer);
    const theirs = await joined(admin, roomId);
    // In the room when the answer comes: they see it live.
    const mine = await joined(customer, roomId);
    const seenLive = `Seen live ${randomBytes(4).toString('hex')}`;
    await say(theirs, roomId, seenLive);
    await settle();
    expect(await mailsAbout(customer, seenLive)).toHaveLength(0);
    // Away, but read it (on another device) before the delay was up.
    await mine.close();
    const readFirst = `Read first ${randomBytes(4).toString('hex')}`;
    const message = await say(theirs, roomId, readFirst);
    const reader = await joined(customer, roomId);
    reader.send({ action: 'markRead', roomId, messageId: message.id });
    await reader.next((f) => f.type === 'readState');
    await reader.close();
    await settle();
    expect(await mailsAbout(customer, readFirst)).toHaveLength(0);
  });

  it('e-mails a member at most once per room in the gap, and the next e-mail tells only what is new', async () => {
    const [customer, admin] = await Promise.all([newUser('gapcustomer'), newAdmin('gap')]);
    const first = `First answer ${randomBytes(4).toString('hex')}`;
    const { roomId } = await answeredWhileAway(customer, admin, first);
    const firstMail = await mailAbout(customer, first);
    const theirs = await joined(admin, roomId);
    const second = `Second answer ${randomBytes(4).toString('hex')}`;
    await say(theirs, roomId, second);
    await theirs.close();
    await settle();
    // Due, but within the gap: not yet.
    expect(await mailsAbout(customer, second)).toHaveLength(0);
    const secondMail = await mailAbout(customer, second, GAP_MS + 5000);
    expect(secondMail.at - firstMail.at).toBeGreaterThanOrEqual(GAP_MS / 1000 - 1);
    expect(secondMail.text).not.toContain(first);
  });

  it("tells a customer of their order's new status and its room's close", async () => {
    const [customer, admin] = await Promise.all([newUser('statuscustomer'), bootstrapAdmin()]);
    const description = `Status order ${randomBytes(4).toString('hex')}`;
    const { id: roomId } = await placeOrder(customer, description);
    const closed = await api('POST', `/chat/rooms/${roomId}/close`, {
      token: admin.accessToken,
      body: { summary: 'Agreed on navy, shipping Friday.' },
    });
    expect(closed.status).toBe(200);
    const mail = await mailAbout(customer, 'Agreed on navy');
    expect(mail.subject).toContain(description);
    expect(mail.text).toContain('The order is now being processed.');
    expect(mail.text).toContain('The conversation was closed: Agreed on navy, shipping Friday.');
  });

  it('unsubscribes in one click from the link, and preferences say so; a forged link is refused', async () => {
    const [customer, admin] = await Promise.all([newUser('unsubscriber'), newAdmin('unsub')]);
    const first = `Before unsubscribing ${randomBytes(4).toString('hex')}`;
    await answeredWhileAway(customer, admin, first);
    const mail = await mailAbout(customer, first);
    const link = /^<(.+)>$/.exec(mail.headers['list-unsubscribe']!)![1]!;

    const forged = await fetch(link.replace(/token=[^.]+/, 'token=eyJ1IjoieCIsInQiOlsibWVzc2FnZXMiXX0'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('content-type')).toBe('application/problem+json');

    // What a mail client sends for RFC 8058's one click, twice (it may repeat it).
    for (let i = 0; i < 2; i++) {
      const oneClick = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(oneClick.status).toBe(204);
    }
    const preferences = await api('GET', '/users/me/notifications', { token: customer.accessToken });
    expect(preferences.body).toEqual({ messages: false, statusChanges: true, newOrders: true });

    const after = `After unsubscribing ${randomBytes(4).toString('hex')}`;
    await answeredWhileAway(customer, admin, after);
    await settle();
    expect(await mailsAbout(customer, after)).toHaveLength(0);

    // Back on, in the preferences: the next one comes.
    const on = await api('PATCH', '/users/me/notifications', { token: customer.accessToken, body: { messages: true } });
    expect(on.body).toEqual({ messages: true, statusChanges: true, newOrders: true });
    const again = `Subscribed again ${randomBytes(4).toString('hex')}`;
    await answeredWhileAway(customer, admin, again);
    await mailAbout(customer, again);

    // Nothing to change, or something unknown: 400.
    for (const body of [{}, { messages: 'yes' }, { everything: false }]) {
      const refused = await api('PATCH', '/users/me/notifications', { token: customer.accessToken, body });
      expect(refused.status).toBe(400);
    }
    expect((await api('GET', '/users/me/notifications')).status).toBe(401);
  });

  it("tells admins of new orders and customers' unanswered messages, per preference; a demoted or deleted member gets none", async () => {
    const [customer, keen, quiet, demoted, root] = await Promise.all([
      newUser('admincustomer'),
      newAdmin('keen'),
      newAdmin('quiet'),
      newAdmin('demoted'),
      bootstrapAdmin(),
    ]);
    expect(
      (await api('PATCH', '/users/me/notifications', { token: quiet.accessToken, body: { newOrders: false } })).status,
    ).toBe(200);
    const demotion = await api('PATCH', `/users/${demoted.user.id}/role`, {
      token: root.accessToken,
      body: { role: 'REGULAR' },
    });
    expect(demotion.status).toBe(200);

    const description = `Admins' order ${randomBytes(4).toString('hex')}`;
    const question = `Unanswered question ${randomBytes(4).toString('hex')}`;
    const { id: roomId } = await placeOrder(customer, description);
    const mine = await joined(customer, roomId);
    await say(mine, roomId, question);
    await mine.close();

    const keenMail = await mailAbout(keen, question);
    expect(keenMail.subject).toBe(`New order: ${description}`);
    expect(keenMail.text).toContain(`${customer.user.name} wrote`);
    const quietMail = await mailAbout(quiet, question);
    expect(quietMail.subject).toMatch(/^1 unread message about the order/);
    expect(quietMail.text).not.toContain('A new order was placed');
    await settle();
    expect(await mailsAbout(demoted, question)).toHaveLength(0);

    // An answer ends the wait: another customer message the admins see answered sends them nothing new.
    const deleted = await newUser('deletedcustomer');
    const { roomId: otherRoom } = await answeredWhileAway(deleted, keen, 'Answer for a leaver');
    const gone = await api('DELETE', '/users/me', { token: deleted.accessToken, body: { password: deleted.password } });
    expect(gone.status).toBe(204);
    await settle();
    expect(await mailsAbout(deleted, 'Answer for a leaver')).toHaveLength(0);
    expect(otherRoom).not.toBe(roomId);
  });
});

describe("the admins' total", () => {
  // Here, not with the other conversation tests: this runtime's files run one test at a time, so the
  // count of waiting conversations moves only with what this test does.
  it('counts the conversations waiting for an answer: a customer writing starts a wait, an answer or a close ends it', async () => {
    const [customer, admin] = await Promise.all([newUser('waitcount'), bootstrapAdmin()]);
    const waiting = async () => (await api('GET', '/orders?limit=1', { token: admin.accessToken })).body.unreadTotal;
    const before = await waiting();
    const { id: roomId } = await placeOrder(customer);
    const mine = await joined(customer, roomId);
    await say(mine, roomId, 'First question');
    await say(mine, roomId, 'Second question');
    expect(await waiting()).toBe(before + 1);
    const theirs = await joined(admin, roomId);
    await say(theirs, roomId, 'An answer');
    expect(await waiting()).toBe(before);
    await say(mine, roomId, 'One more');
    expect(await waiting()).toBe(before + 1);
    const closed = await api('POST', `/chat/rooms/${roomId}/close`, {
      token: admin.accessToken,
      body: { summary: 'Done.' },
    });
    expect(closed.status).toBe(200);
    expect(await waiting()).toBe(before);
  });
});

describe('delivery through a failing mail service', () => {
  const pendingIndex = async (partition: 'DUE' | 'PARKED') => {
    const client = runtimeTables(secret);
    const page = await client.send(
      new QueryCommand({
        TableName: 'order-chat-local-main',
        IndexName: 'pending',
        KeyConditionExpression: 'gsi7pk = :p',
        ExpressionAttributeValues: { ':p': partition },
      }),
    );
    client.destroy();
    return page.Items ?? [];
  };

  it('retries while the mail service is down and sends once it is back; parks what fails every attempt without holding up the rest', async () => {
    const [customer, other, admin] = await Promise.all([newUser('retried'), newUser('parked'), newAdmin('failing')]);

    // Down for a few seconds: the first attempts fail, a later one succeeds, once.
    await mailbox.stop();
    const retried = `Retried answer ${randomBytes(4).toString('hex')}`;
    await answeredWhileAway(customer, admin, retried);
    await sleep(DELAY_MS + 2500);
    mailbox = await startMailbox(mailboxPort);
    await mailAbout(customer, retried);
    await settle();
    expect(await mailsAbout(customer, retried)).toHaveLength(1);

    // Down for longer than every attempt (0.5 + 1 + 2 + 4 s): parked, and the alarm's line logged.
    await mailbox.stop();
    const lost = `Parked answer ${randomBytes(4).toString('hex')}`;
    const { roomId: parkedRoom } = await answeredWhileAway(other, admin, lost);
    const deadline = Date.now() + 40_000;
    // The index holds keys only: the room is in the item's partition key, the side in its sort key (the
    // admins' side of the room, the customer's question, fails alike meanwhile).
    const customerSide = (item: Record<string, unknown>) =>
      item.pk === `ROOM#${parkedRoom}` && /^(NOTIFY|PARKED)#customer/.test(String(item.sk));
    while (!(await pendingIndex('PARKED')).some(customerSide)) {
      if (Date.now() > deadline) throw new Error('The notification was never parked');
      await sleep(500);
    }
    expect((await pendingIndex('DUE')).some(customerSide)).toBe(false);
    mailbox = await startMailbox(mailboxPort);

    // Others go on: the next answer to the same customer arrives, the parked one never does.
    const next = `After the outage ${randomBytes(4).toString('hex')}`;
    await answeredWhileAway(other, admin, next);
    const mail = await mailAbout(other, next);
    expect(mail.text).not.toContain(lost);
    await settle();
    expect(await mailsAbout(other, lost)).toHaveLength(0);
  }, 90_000);
});
