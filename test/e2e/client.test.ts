// End-to-end: the client library (client/) against the local runtime, on Node's own fetch and
// WebSocket as any Node or browser app would use them, with connections cut from the server's side.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatClient,
  createOrderChatApi,
  EmailNotConfirmedError,
  type ChatEvent,
  type ChatMessage,
  type OrderChatApi,
} from '../../client/src/index.ts';
import { BOOTSTRAP_ADMIN } from './bootstrap-admin.ts';
import { connectionCutter, cutConnectionsOf } from './planted.ts';
import { runtime, STRONG_PASSWORD, uniqueEmail } from './support.ts';
import { codeFor } from '../support/mailbox.ts';

const open: ChatClient[] = [];
afterEach(() => {
  for (const chat of open.splice(0)) chat.close();
});

function chatFor(api: OrderChatApi, events: ChatEvent[] = []) {
  // A short backoff: these tests cut connections and wait for the client to come back.
  const chat = new ChatClient({
    url: runtime.wsUrl,
    ticket: () => api.chatTicket(),
    backoff: { initialMs: 200, maxMs: 1_000 },
  });
  chat.subscribe((event) => events.push(event));
  open.push(chat);
  return chat;
}

async function customer() {
  const api = createOrderChatApi({ baseUrl: runtime.httpUrl });
  const email = uniqueEmail('client');
  await api.signUp({ email, password: STRONG_PASSWORD, name: 'Client Customer' });
  // Refused until the address is confirmed, with an error that says so.
  const early = await api.signIn({ email, password: STRONG_PASSWORD }).catch((error: unknown) => error);
  expect(early).toBeInstanceOf(EmailNotConfirmedError);
  const user = await api.confirmEmail({
    email,
    password: STRONG_PASSWORD,
    code: await codeFor(runtime.mailboxUrl, email),
  });
  return { api, user };
}

async function placeOrder(api: OrderChatApi) {
  return api.call(
    api.api.POST('/orders', {
      body: { description: 'Via the client', specifications: { colour: 'navy' }, quantity: 3 },
    }),
  );
}

/** A customer with an order, its room joined by their chat client, and what that client heard. */
async function customerInRoom() {
  const { api, user } = await customer();
  const order = await placeOrder(api);
  const events: ChatEvent[] = [];
  const chat = chatFor(api, events);
  await chat.join(order.id);
  return { api, user, order, events, chat };
}

/** Resolves when `check` holds after an event of the chat (or at once). */
function until(chat: ChatClient, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      stop();
      reject(new Error('condition not met in time'));
    }, timeoutMs);
    const stop = chat.subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

const contents = (messages: readonly ChatMessage[]) => messages.map((m) => m.content);
const isSorted = (messages: readonly ChatMessage[]) => messages.every((m, i) => i === 0 || messages[i - 1]!.id < m.id);

let admin: OrderChatApi;
beforeAll(async () => {
  admin = createOrderChatApi({ baseUrl: runtime.httpUrl });
  await admin.signIn({ email: BOOTSTRAP_ADMIN.email, password: BOOTSTRAP_ADMIN.password });
});

describe('the client library against the local runtime', () => {
  it('places an order, chats with an admin live, and refuses with typed problems', async () => {
    const { api } = await customer();
    const order = await placeOrder(api);
    expect(order).toMatchObject({ status: 'REVIEW', quantity: 3, chatRoom: { id: order.id, isOpen: true } });
    await expect(
      api.call(api.api.POST('/orders', { body: { description: '', specifications: {}, quantity: 0 } })),
    ).rejects.toMatchObject({
      status: 400,
      fieldErrors: { 'body.description': expect.any(String), 'body.quantity': expect.any(String) },
    });
    await expect(api.call(api.api.GET('/users'))).rejects.toMatchObject({ status: 403 });

    const customerChat = chatFor(api);
    const adminChat = chatFor(admin);
    await Promise.all([customerChat.join(order.id), adminChat.join(order.id)]);
    const sent = await Promise.all(['one', 'two', 'three'].map((text) => customerChat.send(order.id, text)));
    expect(contents(sent)).toEqual(['one', 'two', 'three']);
    await until(adminChat, () => adminChat.messages(order.id).length === 3);
    expect(contents(adminChat.messages(order.id))).toEqual(['one', 'two', 'three']);
    await adminChat.send(order.id, 'Hello from us');
    await until(customerChat, () => customerChat.messages(order.id).length === 4);
    expect(customerChat.messages(order.id).at(-1)).toMatchObject({
      content: 'Hello from us',
      sender: { role: 'ADMIN' },
    });
  });

  it('uploads a file, waits for its check and sends it; the admin opens it; a mislabeled one is refused', async () => {
    const { api, order, chat } = await customerInRoom();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const photo = Object.assign(new Blob([png], { type: 'image/png' }), { name: 'sample.png' });
    const verified = await api.uploadAttachment(order.id, photo);
    expect(verified).toMatchObject({ status: 'verified', name: 'sample.png', size: png.length });
    const sent = await chat.send(order.id, 'The sample', { attachmentIds: [verified.id] });
    expect(sent.attachments).toEqual([{ id: verified.id, name: 'sample.png', type: 'image/png', size: png.length }]);
    const opened = await admin.openAttachment(order.id, verified.id);
    const file = await fetch(opened.download!.url);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(png);

    const fake = Object.assign(new Blob(['<html></html>'], { type: 'image/png' }), { name: 'fake.png' });
    await expect(api.uploadAttachment(order.id, fake)).rejects.toMatchObject({
      name: 'AttachmentRefused',
      code: 'Rejected',
      message: "The file's content is not image/png: it was refused.",
    });
  });

  it('comes back from a connection cut by the server with every message once, in order, and its own unsent one delivered', async () => {
    const { api, user, order, events, chat: customerChat } = await customerInRoom();
    const adminChat = chatFor(admin);
    await adminChat.join(order.id);
    await customerChat.send(order.id, 'before the cut');

    expect(await cutConnectionsOf(user.id)).toBe(1);
    // Sent while the customer is away (or coming back): the admin's, and the customer's own from its outbox.
    const ownWhileAway = customerChat.send(order.id, 'written while offline');
    for (const text of ['away 1', 'away 2', 'away 3']) await adminChat.send(order.id, text);
    const own = await ownWhileAway;
    expect(own.content).toBe('written while offline');
    await until(customerChat, () => customerChat.messages(order.id).length === 5);

    const states = events.flatMap((event) => (event.type === 'state' ? [event.state] : []));
    expect(states).toContain('reconnecting');
    expect(customerChat.state).toBe('open');
    const seen = customerChat.messages(order.id);
    expect([...contents(seen)].sort()).toEqual(
      ['before the cut', 'written while offline', 'away 1', 'away 2', 'away 3'].sort(),
    );
    expect(isSorted(seen)).toBe(true);
    // And the server holds each exactly once.
    const room = await api.call(api.api.GET('/chat/rooms/{roomId}', { params: { path: { roomId: order.id } } }));
    expect(room.messages.map((m) => m.id)).toEqual(seen.map((m) => m.id));
  });

  it('never stores twice a message whose connection was cut as it was sent', async () => {
    const { api, user, order, events, chat: customerChat } = await customerInRoom();
    const opened = () => events.filter((event) => event.type === 'state' && event.state === 'open').length;
    for (let i = 0, opensAtCut = 0; i < 3; i++) {
      // The connection to cut is the one the client opened after the last cut, not the one that
      // cut closed: the client may not have heard of that close yet, and still say it is open.
      await until(customerChat, () => customerChat.state === 'open' && opened() > opensAtCut);
      const cut = await connectionCutter(user.id);
      // The frame leaves, and the server drops the connection while its function runs: the
      // acknowledgement may be lost with the message stored, or the message never arrive.
      const sending = customerChat.send(order.id, `cut mid-send ${i}`);
      opensAtCut = opened();
      expect(await cut()).toBe(1);
      await sending;
    }
    const room = await api.call(api.api.GET('/chat/rooms/{roomId}', { params: { path: { roomId: order.id } } }));
    expect(contents(room.messages)).toEqual(['cut mid-send 0', 'cut mid-send 1', 'cut mid-send 2']);
    expect(contents(customerChat.messages(order.id))).toEqual(contents(room.messages));
  });

  it('hears the room close and the order move on, and fails what was unsent', async () => {
    const { order, events, chat: customerChat } = await customerInRoom();
    await admin.call(
      admin.api.POST('/chat/rooms/{roomId}/close', {
        params: { path: { roomId: order.id } },
        body: { summary: 'Agreed: navy' },
      }),
    );
    await until(customerChat, () => events.some((event) => event.type === 'orderStatusChanged'));
    expect(customerChat.room(order.id)).toMatchObject({ isOpen: false, summary: 'Agreed: navy' });
    expect(events.find((event) => event.type === 'orderStatusChanged')).toMatchObject({
      frame: { orderId: order.id, previousStatus: 'REVIEW', status: 'PROCESSING' },
    });
    await expect(customerChat.send(order.id, 'too late')).rejects.toMatchObject({ status: 409 });
  });

  it('closes for good when the session ends: signing out closes the socket and no ticket is given again', async () => {
    const { api, events, chat: customerChat } = await customerInRoom();
    // The second device's session is ended everywhere; the chat's own tokens go with it.
    await api.signOutEverywhere();
    await until(customerChat, () => customerChat.state === 'closed');
    expect(events.some((event) => event.type === 'sessionEnded')).toBe(true);
    expect(api.signedIn).toBe(false);
  });
});
