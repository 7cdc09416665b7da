// The chat protocol's hard cases, against a socket the test drives: drops mid-send, duplicate and
// out-of-order frames, refusals, expired sessions, backoff and a clean close.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatError } from '../src/chat.ts';
import { resumeAfter, timeOfId } from '../src/messages.ts';
import { chatHarness, history, idAt, message, ROOM } from './fake-socket.ts';

beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 29, 12, 30) }));
afterEach(() => vi.useRealTimers());

/** A client joined to ROOM with `messages` as its history. */
async function joined(messages = [message(idAt(1)), message(idAt(2))], options = {}) {
  const harness = chatHarness(options);
  const joining = harness.chat.join(ROOM);
  await harness.settle();
  harness.socket().accept();
  harness.socket().push(history(messages));
  await joining;
  return harness;
}

const ids = (list: readonly { id: string }[]) => list.map((m) => m.id);

describe('connecting and joining', () => {
  it('opens with a ticket, joins, and resolves with the room once its history arrived', async () => {
    const { chat, socket, settle, ticket } = chatHarness();
    const joining = chat.join(ROOM);
    await settle();
    expect(socket().url).toBe('ws://chat.test/local?ticket=ticket-1');
    socket().accept();
    expect(socket().sent).toEqual([{ action: 'joinRoom', roomId: ROOM }]);
    socket().push(history([message(idAt(2)), message(idAt(1))], idAt(1)));
    await expect(joining).resolves.toMatchObject({ roomId: ROOM, isOpen: true, olderCursor: idAt(1) });
    expect(ids(chat.messages(ROOM))).toEqual([idAt(1), idAt(2)]);
    expect(chat.state).toBe('open');
    expect(ticket).toHaveBeenCalledTimes(1);
  });

  it('rejects a join the server refuses (404) and forgets the room', async () => {
    const { chat, socket, settle } = chatHarness();
    const joining = chat.join(ROOM);
    await settle();
    socket().accept();
    socket().push({ type: 'error', status: 404, message: 'Order not found', action: 'joinRoom', roomId: ROOM });
    await expect(joining).rejects.toEqual(new ChatError(404, 'Order not found'));
    expect(chat.room(ROOM)).toBeUndefined();
    await expect(chat.send(ROOM, 'hi')).rejects.toMatchObject({ status: 400 });
  });
});

describe('messages: each once, in id order', () => {
  it('sorts frames that arrive out of order and drops duplicates from any source', async () => {
    const { chat, socket } = await joined([message(idAt(10))]);
    const seen = chat.messages(ROOM);
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(30)) });
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(20)) });
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(30)) });
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(20, 2)) });
    expect(ids(chat.messages(ROOM))).toEqual([idAt(10), idAt(20), idAt(20, 2), idAt(30)]);
    expect(seen).toHaveLength(1); // a new array on change: views compare by reference
    const unchanged = chat.messages(ROOM);
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(10)) });
    expect(chat.messages(ROOM)).toBe(unchanged);
  });

  it('adds older pages read over HTTP without disturbing the order', async () => {
    const { chat } = await joined([message(idAt(50))]);
    chat.addOlder(ROOM, [message(idAt(5)), message(idAt(50))], null);
    expect(ids(chat.messages(ROOM))).toEqual([idAt(5), idAt(50)]);
    expect(chat.room(ROOM)?.olderCursor).toBeNull();
  });
});

describe('sending', () => {
  it('resolves a send only on its acknowledgement, and sends a room one message at a time', async () => {
    const { chat, socket } = await joined();
    let first: unknown;
    const sending = chat.send(ROOM, 'first').then((m) => (first = m));
    const second = chat.send(ROOM, 'second');
    const sent = socket().frames('sendMessage');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ roomId: ROOM, content: 'first', clientMessageId: expect.any(String) });
    expect(chat.outbox(ROOM).map((m) => m.content)).toEqual(['first', 'second']);
    await vi.advanceTimersByTimeAsync(0);
    expect(first).toBeUndefined();

    const ack = message(idAt(100), 'first', sent[0]!.clientMessageId as string);
    socket().push({ type: 'newMessage', roomId: ROOM, message: ack });
    await sending;
    expect(first).toEqual(ack);
    expect(socket().frames('sendMessage')[1]).toMatchObject({ content: 'second' });
    const secondId = socket().frames('sendMessage')[1]!.clientMessageId as string;
    expect(secondId).not.toBe(sent[0]!.clientMessageId);
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(101), 'second', secondId) });
    await expect(second).resolves.toMatchObject({ content: 'second' });
    expect(chat.outbox(ROOM)).toEqual([]);
  });

  it('sends again with the same id when no acknowledgement comes', async () => {
    const { chat, socket } = await joined([], { ackTimeoutMs: 5_000 });
    const sending = chat.send(ROOM, 'hello');
    await vi.advanceTimersByTimeAsync(5_000);
    const [original, repeat] = socket().frames('sendMessage');
    expect(repeat).toEqual(original);
    // The server answers a repeated clientMessageId with the original message: one message, one resolve.
    const stored = message(idAt(100), 'hello', original!.clientMessageId as string);
    socket().push({ type: 'newMessage', roomId: ROOM, message: stored });
    socket().push({ type: 'newMessage', roomId: ROOM, message: stored });
    await expect(sending).resolves.toEqual(stored);
    expect(chat.messages(ROOM)).toEqual([stored]);
  });

  it('waits out a 429 Retry-After, then sends the same message again', async () => {
    const { chat, socket } = await joined([]);
    const sending = chat.send(ROOM, 'hello');
    const [frame] = socket().frames('sendMessage');
    const clientMessageId = frame!.clientMessageId as string;
    socket().push({
      type: 'error',
      status: 429,
      message: 'Slow down',
      action: 'sendMessage',
      roomId: ROOM,
      clientMessageId,
      retryAfter: 3,
    });
    // Another frame for the room must not cut the wait short.
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(5)) });
    await vi.advanceTimersByTimeAsync(2_900);
    expect(socket().frames('sendMessage')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(socket().frames('sendMessage')).toEqual([frame, frame]);
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(10), 'hello', clientMessageId) });
    await expect(sending).resolves.toMatchObject({ content: 'hello' });
  });

  it('sends again what was in flight when API Gateway throttles a frame with its own answer', async () => {
    const { chat, socket } = await joined([], { random: () => 1, backoff: { initialMs: 100, maxMs: 1_000 } });
    const sending = chat.send(ROOM, 'hello');
    const [frame] = socket().frames('sendMessage');
    // API Gateway's answer names no frame: it could be this one.
    socket().push({ message: 'Too Many Requests', connectionId: 'c1', requestId: 'r1' });
    await vi.advanceTimersByTimeAsync(199);
    expect(socket().frames('sendMessage')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket().frames('sendMessage')).toEqual([frame, frame]);
    socket().push({
      type: 'newMessage',
      roomId: ROOM,
      message: message(idAt(10), 'hello', frame!.clientMessageId as string),
    });
    await expect(sending).resolves.toMatchObject({ content: 'hello' });
  });

  it('fails a send the server refuses for good, and goes on with the next', async () => {
    const { chat, socket } = await joined([]);
    const refused = chat.send(ROOM, 'x'.repeat(5000));
    const next = chat.send(ROOM, 'ok');
    const [frame] = socket().frames('sendMessage');
    socket().push({
      type: 'error',
      status: 400,
      message: 'frame.content: Must be at most 4000 characters',
      action: 'sendMessage',
      roomId: ROOM,
      clientMessageId: frame!.clientMessageId,
    });
    await expect(refused).rejects.toEqual(new ChatError(400, 'frame.content: Must be at most 4000 characters'));
    expect(socket().frames('sendMessage')[1]).toMatchObject({ content: 'ok' });
    const ack = message(idAt(9), 'ok', socket().frames('sendMessage')[1]!.clientMessageId as string);
    socket().push({ type: 'newMessage', roomId: ROOM, message: ack });
    await expect(next).resolves.toEqual(ack);
  });

  it('fails what is unsent when the room closes, and refuses new sends to it', async () => {
    const { chat, socket } = await joined([]);
    const pending = chat.send(ROOM, 'too late');
    const events: string[] = [];
    chat.subscribe((event) => events.push(event.type));
    socket().push({
      type: 'roomClosed',
      roomId: ROOM,
      summary: 'Done',
      closedAt: new Date().toISOString(),
      closedBy: 'admin-1',
    });
    await expect(pending).rejects.toMatchObject({ status: 409 });
    expect(chat.room(ROOM)).toMatchObject({ isOpen: false, summary: 'Done' });
    expect(events).toContain('roomClosed');
    await expect(chat.send(ROOM, 'again')).rejects.toMatchObject({ status: 409 });
  });
});

describe('a dropped connection', () => {
  it('reconnects with a fresh ticket, resumes a little before the last message seen, and resends unacknowledged messages once', async () => {
    const { chat, socket, sockets, ticket } = await joined([message(idAt(1_000))]);
    const sending = chat.send(ROOM, 'mid-send');
    const clientMessageId = socket().frames('sendMessage')[0]!.clientMessageId as string;
    socket().drop();
    expect(chat.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500); // the first backoff's ceiling
    expect(ticket).toHaveBeenCalledTimes(2);
    expect(sockets[1]!.url).toContain('ticket=ticket-2');
    sockets[1]!.accept();
    const [rejoin] = sockets[1]!.frames('joinRoom');
    expect(rejoin).toEqual({ action: 'joinRoom', roomId: ROOM, after: resumeAfter(idAt(1_000), 5_000) });
    expect(timeOfId(rejoin!.after as string)).toBe(timeOfId(idAt(1_000)) - 5_000);
    // Nothing is sent to a room before its history arrived on the new connection.
    expect(sockets[1]!.frames('sendMessage')).toEqual([]);
    // The resumed page has a message that raced the last one seen, and one sent meanwhile.
    sockets[1]!.push(history([message(idAt(999)), message(idAt(1_000)), message(idAt(1_500))]));
    expect(sockets[1]!.frames('sendMessage')).toEqual([
      expect.objectContaining({ clientMessageId, content: 'mid-send' }),
    ]);
    const stored = message(idAt(2_000), 'mid-send', clientMessageId);
    sockets[1]!.push({ type: 'newMessage', roomId: ROOM, message: stored });
    await expect(sending).resolves.toEqual(stored);
    expect(ids(chat.messages(ROOM))).toEqual([idAt(999), idAt(1_000), idAt(1_500), idAt(2_000)]);
  });

  it('resolves a send whose message was stored but whose acknowledgement was lost, without sending it again', async () => {
    const { chat, socket, sockets } = await joined([]);
    const sending = chat.send(ROOM, 'stored');
    const clientMessageId = socket().frames('sendMessage')[0]!.clientMessageId as string;
    socket().drop();
    await vi.advanceTimersByTimeAsync(500);
    sockets[1]!.accept();
    // Joined on an empty room: resume from the start, since every message there is new.
    expect(sockets[1]!.frames('joinRoom')[0]).toMatchObject({ after: '0'.repeat(26) });
    const stored = message(idAt(7), 'stored', clientMessageId);
    sockets[1]!.push(history([stored]));
    await expect(sending).resolves.toEqual(stored);
    expect(sockets[1]!.frames('sendMessage')).toEqual([]);
    expect(chat.messages(ROOM)).toEqual([stored]);
  });

  it('follows a resumed history page by page', async () => {
    const { socket, sockets } = await joined([message(idAt(10_000))]);
    socket().drop();
    await vi.advanceTimersByTimeAsync(500);
    sockets[1]!.accept();
    sockets[1]!.push(history([message(idAt(10_001))], idAt(10_001)));
    expect(sockets[1]!.frames('joinRoom')[1]).toEqual({ action: 'joinRoom', roomId: ROOM, after: idAt(10_001) });
  });

  it('backs off exponentially with full jitter, capped, and starts over after a connection opened', async () => {
    const failures = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    const { chat, ticket } = chatHarness({ backoff: { initialMs: 100, maxMs: 1_000 } });
    ticket.mockImplementation(failures);
    chat.connect();
    const callTimes: number[] = [];
    const start = Date.now();
    failures.mockImplementation(async () => {
      callTimes.push(Date.now() - start);
      throw new TypeError('fetch failed');
    });
    await vi.advanceTimersByTimeAsync(5_000);
    // Ceilings 100, 200, 400, 800, 1000, 1000…; random() = 1 takes each ceiling.
    expect(callTimes.slice(0, 6)).toEqual([100, 300, 700, 1_500, 2_500, 3_500]);
  });

  it('backs off the same way when the WebSocket cannot be made at all', async () => {
    let attempts = 0;
    const { chat, ticket } = chatHarness({
      webSocket: () => {
        attempts++;
        throw new SyntaxError('Invalid URL');
      },
    });
    chat.connect();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(attempts).toBeGreaterThan(1);
    expect(ticket.mock.calls.length).toBe(attempts);
    expect(chat.state).toBe('reconnecting');
    chat.close();
  });

  it('waits out a 429 on its ticket (too many tickets for now) before asking again, and stays open', async () => {
    const { chat, ticket, socket, settle } = chatHarness({ random: () => 0, backoff: { initialMs: 100 } });
    chat.connect();
    await settle();
    socket().accept();
    ticket.mockRejectedValueOnce(
      Object.assign(new Error('Too many WebSocket tickets'), { status: 429, retryAfterSeconds: 30 }),
    );
    socket().drop();
    await vi.advanceTimersByTimeAsync(1);
    expect(ticket).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(29_998);
    expect(ticket).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2);
    expect(ticket).toHaveBeenCalledTimes(3);
    expect(chat.state).not.toBe('closed');
    chat.close();
  });

  it('spreads reconnects out: the delay is random within the ceiling', async () => {
    const { chat, ticket, socket, settle } = chatHarness({ random: () => 0.25, backoff: { initialMs: 1_000 } });
    chat.connect();
    await settle();
    socket().accept();
    socket().drop();
    await vi.advanceTimersByTimeAsync(249);
    expect(ticket).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ticket).toHaveBeenCalledTimes(2);
  });
});

describe('sessions', () => {
  it('reconnects with a new ticket when the server ends the connection of an expired token', async () => {
    const { socket, sockets, ticket } = await joined([message(idAt(1))]);
    socket().push({ type: 'error', status: 401, message: 'Session expired', action: 'sendMessage', roomId: ROOM });
    socket().close(1000);
    await vi.advanceTimersByTimeAsync(500);
    expect(ticket).toHaveBeenCalledTimes(2);
    sockets[1]!.accept();
    expect(sockets[1]!.frames('joinRoom')).toHaveLength(1);
  });

  it('opens a new connection before the session it was opened with expires', async () => {
    const expiresAt = Date.now() + 60_000;
    const { chat, sockets, ticket, settle } = chatHarness({ renewBeforeMs: 30_000 });
    ticket.mockImplementation(async () => ({ ticket: `t${ticket.mock.calls.length}`, expiresAt }));
    const joining = chat.join(ROOM);
    await settle();
    sockets[0]!.accept();
    sockets[0]!.push(history([message(idAt(1))]));
    await joining;
    await vi.advanceTimersByTimeAsync(29_999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets[0]!.closedWith).toBe(1000);
    expect(ticket).toHaveBeenCalledTimes(2);
    sockets[1]!.accept();
    expect(sockets[1]!.frames('joinRoom')[0]).toHaveProperty('after');
  });

  it('closes for good when the session is over (the ticket is refused) and fails what is pending', async () => {
    const { chat, socket, ticket } = await joined([]);
    const failed = chat.send(ROOM, 'never').catch((error: unknown) => error);
    const events: string[] = [];
    chat.subscribe((event) => events.push(event.type === 'state' ? `state:${event.state}` : event.type));
    ticket.mockRejectedValue(Object.assign(new Error('Unauthorized'), { status: 401 }));
    socket().drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticket).toHaveBeenCalledTimes(2);
    expect(chat.state).toBe('closed');
    expect(events).toEqual(['state:reconnecting', 'sessionEnded', 'state:closed']);
    expect(await failed).toBeInstanceOf(ChatError);
  });
});

describe('close()', () => {
  it('closes the socket with 1000, never reconnects, and fails what is pending', async () => {
    const { chat, socket, ticket } = await joined([]);
    const pending = chat.send(ROOM, 'unsent');
    chat.close();
    expect(socket().closedWith).toBe(1000);
    await expect(pending).rejects.toMatchObject({ status: 499 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(ticket).toHaveBeenCalledTimes(1);
    expect(chat.state).toBe('closed');
    await expect(chat.send(ROOM, 'after')).rejects.toBeInstanceOf(ChatError);
  });

  it('leaves no unhandled rejection behind for what the caller abandoned by closing', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const { chat, socket } = await joined([]);
      void chat.send(ROOM, 'never awaited');
      void chat.join('another-room');
      void chat.closeRoom(ROOM, 'never awaited either');
      expect(socket().sent.map((frame) => frame.action)).toContain('closeRoom');
      chat.close();
      // Unhandled rejections are reported after the microtask queue drains, on a macrotask.
      vi.useRealTimers();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

describe('closeRoom (admins)', () => {
  it('resolves on the roomClosed it causes, and rejects with the refusal', async () => {
    const { chat, socket } = await joined([]);
    const refused = chat.closeRoom(ROOM, 'Nope');
    expect(socket().frames('closeRoom')).toEqual([{ action: 'closeRoom', roomId: ROOM, summary: 'Nope' }]);
    socket().push({
      type: 'error',
      status: 403,
      message: 'Only admins may send closeRoom.',
      action: 'closeRoom',
      roomId: ROOM,
    });
    await expect(refused).rejects.toEqual(new ChatError(403, 'Only admins may send closeRoom.'));
    const closing = chat.closeRoom(ROOM, 'Agreed');
    socket().push({
      type: 'roomClosed',
      roomId: ROOM,
      summary: 'Agreed',
      closedAt: new Date().toISOString(),
      closedBy: 'a',
    });
    await expect(closing).resolves.toBeUndefined();
    expect(chat.room(ROOM)).toMatchObject({ isOpen: false, summary: 'Agreed' });
  });
});

describe('read state', () => {
  it('marks the newest message held, once, and takes the answer and the other side’s receipts', async () => {
    const { chat, socket } = await joined();
    expect(chat.room(ROOM)!.readState).toEqual({
      side: 'customer',
      unread: 0,
      readUpTo: null,
      otherSideReadUpTo: null,
    });
    chat.markRead(ROOM);
    chat.markRead(ROOM);
    expect(socket().sent.filter((frame) => frame.action === 'markRead')).toEqual([
      { action: 'markRead', roomId: ROOM, messageId: idAt(2) },
    ]);
    socket().push({
      type: 'readState',
      roomId: ROOM,
      side: 'customer',
      unread: 0,
      readUpTo: idAt(2),
      otherSideReadUpTo: null,
    });
    expect(chat.room(ROOM)!.readState.readUpTo).toBe(idAt(2));
    // Nothing newer: nothing to mark.
    chat.markRead(ROOM);
    expect(socket().sent.filter((frame) => frame.action === 'markRead')).toHaveLength(1);

    // The admins read the first message: "Seen" under it; a receipt of the customer's own side changes nothing.
    socket().push({
      type: 'readReceipt',
      roomId: ROOM,
      side: 'admins',
      messageId: idAt(1),
      readAt: '2026-11-29T12:30:00.000Z',
    });
    expect(chat.room(ROOM)!.readState.otherSideReadUpTo).toBe(idAt(1));
    socket().push({
      type: 'readReceipt',
      roomId: ROOM,
      side: 'customer',
      messageId: idAt(2),
      readAt: '2026-11-29T12:30:00.000Z',
    });
    expect(chat.room(ROOM)!.readState.otherSideReadUpTo).toBe(idAt(1));
    // Receipts never move back, whatever order they arrive in.
    socket().push({
      type: 'readReceipt',
      roomId: ROOM,
      side: 'admins',
      messageId: idAt(2),
      readAt: '2026-11-29T12:30:01.000Z',
    });
    socket().push({
      type: 'readReceipt',
      roomId: ROOM,
      side: 'admins',
      messageId: idAt(1),
      readAt: '2026-11-29T12:30:00.000Z',
    });
    expect(chat.room(ROOM)!.readState.otherSideReadUpTo).toBe(idAt(2));

    // A new message: marked in its turn.
    socket().push({ type: 'newMessage', roomId: ROOM, message: message(idAt(3)) });
    chat.markRead(ROOM);
    expect(
      socket()
        .sent.filter((frame) => frame.action === 'markRead')
        .at(-1),
    ).toEqual({
      action: 'markRead',
      roomId: ROOM,
      messageId: idAt(3),
    });
  });
});

describe('watching order lists', () => {
  it('watches once for every view, again after a reconnect (saying changes may have been missed), and stops with the last view', async () => {
    const { chat, socket, sockets, settle } = chatHarness();
    const events: unknown[] = [];
    chat.subscribe((event) => {
      if (event.type === 'orderListChanged') events.push(event.frame);
    });
    const stopList = chat.watchOrders();
    const stopInbox = chat.watchOrders();
    await settle();
    socket().accept();
    expect(socket().frames('watchOrders')).toHaveLength(1);
    // The first answer is no news: the views have just read their lists.
    socket().push({ type: 'watchingOrders', watching: true, scope: 'all' });
    const change = {
      type: 'orderListChanged',
      orderId: idAt(1),
      change: 'placed',
      status: 'REVIEW',
      at: '2026-11-29T12:00:00.000Z',
    };
    socket().push(change);
    expect(events).toEqual([change]);
    socket().drop();
    await vi.advanceTimersByTimeAsync(500);
    sockets[1]!.accept();
    expect(sockets[1]!.frames('watchOrders')).toHaveLength(1);
    sockets[1]!.push({ type: 'watchingOrders', watching: true, scope: 'all' });
    expect(events).toEqual([change, null]);
    stopList();
    stopList(); // a second stop of one view changes nothing
    expect(sockets[1]!.frames('unwatchOrders')).toHaveLength(0);
    stopInbox();
    expect(sockets[1]!.frames('unwatchOrders')).toHaveLength(1);
  });
});
