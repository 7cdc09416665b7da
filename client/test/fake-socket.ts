/** A WebSocket the test drives by hand: what the client sent, and the server's side of the wire. */
import { vi } from 'vitest';
import { ChatClient, type ChatOptions, type WebSocketLike } from '../src/chat.ts';
import { firstIdAt, type ChatMessage } from '../src/messages.ts';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class FakeSocket implements WebSocketLike {
  readyState = CONNECTING;
  readonly sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;

  constructor(readonly url: string) {}

  send(data: string) {
    if (this.readyState !== OPEN) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000, reason = '') {
    if (this.readyState === CLOSED) return;
    this.closedWith = code;
    this.readyState = CLOSED;
    this.onclose?.({ code, reason });
  }

  /** The server accepted the upgrade. */
  accept() {
    this.readyState = OPEN;
    this.onopen?.({});
  }

  push(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The connection is cut (network, server, idle timeout): no close frame. */
  drop(code = 1006) {
    this.readyState = CLOSED;
    this.onclose?.({ code, reason: '' });
  }

  frames(action: string) {
    return this.sent.filter((frame) => frame.action === action);
  }
}

const BASE_TIME = Date.UTC(2026, 10, 29, 12);

/** A message id made `ms` after a fixed time, `n` telling apart ids of the same millisecond. */
export const idAt = (ms: number, n = 1) => firstIdAt(BASE_TIME + ms).slice(0, 10) + String(n).padStart(16, '0');

export const message = (id: string, content = `message ${id}`, clientMessageId: string | null = null): ChatMessage => ({
  id,
  roomId: ROOM,
  content,
  createdAt: new Date().toISOString(),
  clientMessageId,
  sender: { id: 'user-1', name: 'Ann', role: 'REGULAR' },
});

export const ROOM = '01JDZ8Q4V3N9W2K7T6R5M4P3X2';

export const history = (messages: ChatMessage[], nextCursor: string | null = null, isOpen = true) => ({
  type: 'chatHistory',
  roomId: ROOM,
  room: { isOpen, summary: null, closedAt: null },
  readState: { side: 'customer', unread: 0, readUpTo: null, otherSideReadUpTo: null },
  messages,
  nextCursor,
});

/** A client wired to fake sockets and counted tickets; `random: () => 1` makes every backoff its ceiling. */
export function chatHarness(options: Partial<ChatOptions> = {}) {
  const sockets: FakeSocket[] = [];
  let issued = 0;
  const ticket = vi.fn(async () => ({ ticket: `ticket-${++issued}`, expiresAt: Date.now() + 15 * 60_000 }));
  const chat = new ChatClient({
    url: 'ws://chat.test/local',
    ticket,
    webSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    random: () => 1,
    ...options,
  });
  return {
    chat,
    sockets,
    ticket,
    socket: () => sockets.at(-1)!,
    /** Lets the ticket's promise settle and the socket get made. */
    settle: () => vi.advanceTimersByTimeAsync(0),
  };
}
