/**
 * The chat protocol done right, so an app only renders what this holds:
 * - every connection opens with a fresh single-use ticket, and reopens before the session it was
 *   opened with expires (the server stops serving a connection then);
 * - a drop is followed by reconnecting with exponential backoff and full jitter, re-joining every
 *   room and resuming each from a little before the last message seen;
 * - `messages(roomId)` holds each message once, in id order, whatever order frames arrive in;
 * - `send` gives each message a clientMessageId and resolves only on the server's acknowledgement;
 *   a room's messages go one at a time (the server handles a connection's frames concurrently, so
 *   that is what keeps a sender's order), and the outbox outlives reconnects: a message whose
 *   acknowledgement was lost is sent again with the same id, which the server never stores twice.
 */
import type { components, ServerFrame } from './generated/frames.ts';
import { mergeMessages, newClientMessageId, resumeAfter, type ChatMessage } from './messages.ts';

type Frames = components['schemas'];
export type RoomClosedFrame = Frames['RoomClosedFrame'];
export type OrderStatusChangedFrame = Frames['OrderStatusChangedFrame'];
export type ErrorFrame = Frames['ErrorFrame'];
export type ConversationChangedFrame = Frames['ConversationChangedFrame'];
export type OrderListChangedFrame = Frames['OrderListChangedFrame'];
/** Where you stand in a room: your side, what the other side wrote that you haven't read, and both receipts. */
export type ReadState = Frames['ReadState'];
/** Someone in a room: their id, name and side (the customer, or the admins). */
export type Participant = Frames['Participant'];

/** A typing notice goes at most this often while the user types (the server takes 6 per 10 s). */
export const TYPING_EVERY_MS = 3000;
/** Someone shows as typing this long after their last notice (or until their message arrives). */
export const TYPING_SHOWN_MS = 5000;

/** The part of the WebSocket API used here: the browser's, React Native's, Node's global, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

const OPEN = 1;

export type ChatState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RoomState {
  roomId: string;
  isOpen: boolean;
  summary: string | null;
  closedAt: string | null;
  /** Older messages exist before the first one held: `GET /chat/rooms/{roomId}/messages?before=`. */
  olderCursor: string | null;
  /** As of the room's history, your last `markRead`, and the receipts heard since. */
  readState: ReadState;
  /** Who is in the room now (joined on some connection), you included. */
  present: readonly Participant[];
  /** Who else is typing in it now. */
  typing: readonly Participant[];
}

export interface PendingMessage {
  clientMessageId: string;
  roomId: string;
  content: string;
  /** The verified uploads it sends (`OrderChatApi.uploadAttachment`). */
  attachmentIds?: string[];
}

export type ChatEvent =
  | { type: 'state'; state: ChatState }
  /** A room's messages, state or outbox changed: read them again. */
  | { type: 'room'; roomId: string }
  | { type: 'roomClosed'; frame: RoomClosedFrame }
  | { type: 'orderStatusChanged'; frame: OrderStatusChangedFrame }
  /**
   * A conversation you are part of moved on, joined or not: the other side wrote (your unread count
   * rose), or, for admins, a room began or stopped waiting for an answer. Lists read again.
   */
  | { type: 'conversationChanged'; frame: ConversationChangedFrame }
  /**
   * While watching orders (`watchOrders`): an order you may list was placed or changed; or, with no
   * frame, the connection was made again and changes may have been missed. Lists read again.
   */
  | { type: 'orderListChanged'; frame: OrderListChangedFrame | null }
  /** A refusal no pending call was waiting for. */
  | { type: 'error'; frame: ErrorFrame }
  /** The session is over (the ticket was refused): the client closed for good. */
  | { type: 'sessionEnded'; error: unknown };

/** A frame the server refused, as an error: `status` as in HTTP. */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ChatOptions {
  /** The WebSocket URL (`ws://localhost:8001/local`, or the stack's `WebSocketUrl`). */
  url: string;
  /** A fresh ticket for each connection (`OrderChatApi.chatTicket`). */
  ticket: () => Promise<{ ticket: string; expiresAt?: number }>;
  /** Defaults to `new WebSocket(url)`; Node outside tests may pass `ws` with a user-agent header. */
  webSocket?: (url: string) => WebSocketLike;
  /** Reconnect delays: full jitter over `initialMs · 2^attempt`, at most `maxMs` (defaults 500 ms and 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** A message not acknowledged in this long is sent again, with the same id (default 10 s). */
  ackTimeoutMs?: number;
  /** Reconnect this long before the session's expiry (default 30 s). */
  renewBeforeMs?: number;
  /** How far before the last message seen a room resumes (default 5 s). */
  resumeOverlapMs?: number;
  /** A refused send is retried this many times on 429/5xx before it fails (default 5). */
  maxSendAttempts?: number;
  random?: () => number;
  now?: () => number;
  /** The signed-in user's id: their own typing in another tab or device is not shown as someone else's. */
  selfId?: string;
}

interface Room {
  state: RoomState | undefined;
  messages: readonly ChatMessage[];
  /** Has a chatHistory arrived on the current connection? */
  joined: boolean;
  /** Has one ever (then a re-join resumes instead of starting over)? */
  everJoined: boolean;
  joining: Pending<RoomState>[];
  outbox: Outgoing[];
  /** The newest message a markRead was sent for on this connection (none is sent twice). */
  markedUpTo?: string;
  /** The newest presence heard (it may come before the room's history), and when it was read. */
  present: readonly Participant[];
  presentAt: string;
  /** Who else is typing, until when (epoch ms). */
  typing: Map<string, { participant: Participant; until: number }>;
  typingTimer?: ReturnType<typeof setTimeout>;
  /** When this client last said its user is typing here. */
  typingSentAt: number;
}

/** A promise handed to a caller, with what settles it. */
interface Pending<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function pending<T>(): Pending<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Rejects what the caller's own close() ended. A caller that closed the client needn't await what it
 * abandoned: the rejection still reaches whoever awaits, but is never an unhandled rejection.
 */
type Rejectable = Pick<Pending<unknown>, 'promise' | 'reject'>;

const reject = (waiter: Rejectable, error: Error): void => waiter.reject(error);

function abandon(waiter: Rejectable, error: Error): void {
  waiter.promise.catch(() => {});
  waiter.reject(error);
}

interface Outgoing extends PendingMessage, Pending<ChatMessage> {
  attempts: number;
  inFlight: boolean;
  /** The acknowledgement's deadline while in flight, or the end of a refusal's wait. */
  timer?: ReturnType<typeof setTimeout>;
  /** Refused with 429/5xx: not sent again before this (epoch ms). */
  retryAt?: number;
}

/** Statuses after which the same frame, sent again, may succeed. */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export class ChatClient {
  private readonly rooms = new Map<string, Room>();
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private readonly closing = new Map<string, Pending<void>>();
  /** How many views keep an order list current (watchOrders while above zero). */
  private orderWatchers = 0;
  /** Watching again on a new connection: its answer says changes may have been missed meanwhile. */
  private orderWatchResumed = false;
  /** A connection has watched orders before (a later one resumes watching). */
  private ordersWatchedBefore = false;
  private socket: WebSocketLike | undefined;
  private currentState: ChatState = 'idle';
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly options: Required<Omit<ChatOptions, 'backoff' | 'selfId'>> &
    Pick<ChatOptions, 'selfId'> & { backoff: { initialMs: number; maxMs: number } };

  constructor(options: ChatOptions) {
    this.options = {
      webSocket: (url) =>
        new (globalThis as unknown as { WebSocket: new (url: string) => WebSocketLike }).WebSocket(url),
      ackTimeoutMs: 10_000,
      renewBeforeMs: 30_000,
      resumeOverlapMs: 5_000,
      maxSendAttempts: 5,
      random: Math.random,
      now: () => Date.now(),
      ...options,
      backoff: { initialMs: 500, maxMs: 30_000, ...options.backoff },
    };
  }

  get state(): ChatState {
    return this.currentState;
  }

  /** Listens to everything that happens; returns the function that stops listening. */
  subscribe(listener: (event: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the connection (joining a room opens it too). */
  connect(): void {
    if (this.currentState === 'idle' || this.currentState === 'closed') void this.open();
  }

  /** Joins a room: resolves with its state once its history arrived, rejects if it may not be seen (404) . */
  join(roomId: string): Promise<RoomState> {
    let room = this.rooms.get(roomId);
    if (room?.joined && room.state) return Promise.resolve(room.state);
    if (!room) {
      room = {
        state: undefined,
        messages: [],
        joined: false,
        everJoined: false,
        joining: [],
        outbox: [],
        present: [],
        presentAt: '',
        typing: new Map(),
        typingSentAt: Number.NEGATIVE_INFINITY,
      };
      this.rooms.set(roomId, room);
      this.sendJoin(roomId, room);
    }
    this.connect();
    const waiter = pending<RoomState>();
    room.joining.push(waiter);
    return waiter.promise;
  }

  /**
   * Keeps order lists current on this connection (admins: every order; customers: their own) until
   * the returned function is called: `orderListChanged` events arrive, and one without a frame
   * after every reconnect. Several views may watch at once.
   */
  watchOrders(): () => void {
    this.orderWatchers += 1;
    if (this.orderWatchers === 1 && this.isOpen()) this.socket!.send(JSON.stringify({ action: 'watchOrders' }));
    this.connect();
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.orderWatchers -= 1;
      if (this.orderWatchers === 0 && this.isOpen()) this.socket!.send(JSON.stringify({ action: 'unwatchOrders' }));
    };
  }

  /** Stops receiving a room; its unsent messages fail. */
  leave(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    this.rooms.delete(roomId);
    this.failRoom(room, new ChatError(499, 'Left the room'));
    if (this.isOpen()) this.socket!.send(JSON.stringify({ action: 'leaveRoom', roomId }));
  }

  /** The room's messages: each once, sorted by id. The same array until something changes. */
  messages(roomId: string): readonly ChatMessage[] {
    return this.rooms.get(roomId)?.messages ?? [];
  }

  room(roomId: string): RoomState | undefined {
    return this.rooms.get(roomId)?.state;
  }

  /** Messages sent but not yet acknowledged, in the order they were sent. */
  outbox(roomId: string): readonly PendingMessage[] {
    return (this.rooms.get(roomId)?.outbox ?? []).map(({ clientMessageId, roomId, content }) => ({
      clientMessageId,
      roomId,
      content,
    }));
  }

  /** Adds older messages read over HTTP (`GET /chat/rooms/{roomId}/messages?before=`). */
  addOlder(roomId: string, older: readonly ChatMessage[], olderCursor: string | null): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.messages = mergeMessages(room.messages, older);
    if (room.state) room.state = { ...room.state, olderCursor };
    this.emit({ type: 'room', roomId });
  }

  /**
   * Sends a message to a joined room, with files the caller uploaded and the server verified
   * (`attachmentIds`; the text may then be empty). Resolves with the stored message once the server
   * acknowledged it (never twice, never a copy); rejects with a ChatError if the server refuses it for good.
   */
  send(roomId: string, content: string, options: { attachmentIds?: string[] } = {}): Promise<ChatMessage> {
    const room = this.rooms.get(roomId);
    if (!room) return Promise.reject(new ChatError(400, 'Join the room before sending to it'));
    if (this.currentState === 'closed') return Promise.reject(new ChatError(499, 'The chat client is closed'));
    if (room.state && !room.state.isOpen) return Promise.reject(new ChatError(409, 'Chat room is closed'));
    const outgoing: Outgoing = {
      clientMessageId: newClientMessageId(),
      roomId,
      content,
      ...(options.attachmentIds?.length ? { attachmentIds: [...options.attachmentIds] } : {}),
      attempts: 0,
      inFlight: false,
      ...pending<ChatMessage>(),
    };
    room.outbox.push(outgoing);
    this.emit({ type: 'room', roomId });
    this.pump(room);
    return outgoing.promise;
  }

  /**
   * Marks the room read up to the newest message held (what the app has shown), unless it is marked
   * there already. The server's answer updates `room(roomId).readState`, and the other side hears
   * the receipt. Call it when a room is shown and as messages arrive while it is on screen.
   */
  markRead(roomId: string): void {
    const room = this.rooms.get(roomId);
    const newest = room?.messages.at(-1)?.id;
    if (!room?.state || !newest || !this.isOpen()) return;
    const readUpTo = room.state.readState.readUpTo;
    if ((readUpTo !== null && newest <= readUpTo) || (room.markedUpTo !== undefined && newest <= room.markedUpTo)) {
      return;
    }
    room.markedUpTo = newest;
    this.socket!.send(JSON.stringify({ action: 'markRead', roomId, messageId: newest }));
  }

  /**
   * Says the user is typing in a joined room: call it on every keystroke, at most one notice goes
   * every TYPING_EVERY_MS. The others see it in `room(roomId).typing` for TYPING_SHOWN_MS.
   */
  typing(roomId: string): void {
    const room = this.rooms.get(roomId);
    const now = this.options.now();
    if (!room?.joined || !room.state?.isOpen || !this.isOpen() || now - room.typingSentAt < TYPING_EVERY_MS) return;
    room.typingSentAt = now;
    this.socket!.send(JSON.stringify({ action: 'typing', roomId }));
  }

  /**
   * Admins: closes a room with a summary. Resolves when the room's roomClosed arrives (every member
   * hears it, and the order's status change, from this one frame); rejects with the refusal.
   */
  closeRoom(roomId: string, summary: string): Promise<void> {
    if (!this.isOpen()) return Promise.reject(new ChatError(503, 'Not connected: try again in a moment'));
    if (this.closing.has(roomId)) return Promise.reject(new ChatError(409, 'Already closing this room'));
    const closing = pending<void>();
    this.closing.set(roomId, closing);
    this.socket!.send(JSON.stringify({ action: 'closeRoom', roomId, summary }));
    return closing.promise;
  }

  /** Closes for good: no reconnect; joins and unsent messages fail. */
  close(): void {
    this.setState('closed');
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.renewTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'Client closed');
    const closed = new ChatError(499, 'The chat client is closed');
    for (const room of this.rooms.values()) this.failRoom(room, closed, abandon);
    this.rooms.clear();
    for (const closing of this.closing.values()) abandon(closing, closed);
    this.closing.clear();
  }

  private async open(): Promise<void> {
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let ticket: { ticket: string; expiresAt?: number };
    try {
      ticket = await this.options.ticket();
    } catch (error) {
      if (this.currentState === 'closed') return;
      const status = (error as { status?: unknown }).status;
      if (status === 401 || status === 403) {
        this.emit({ type: 'sessionEnded', error });
        this.close();
        return;
      }
      // Too many tickets for now (429): not before the server says.
      const retryAfterSeconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      this.scheduleReconnect(typeof retryAfterSeconds === 'number' ? retryAfterSeconds * 1000 : 0);
      return;
    }
    if (this.currentState === 'closed') return;
    const separator = this.options.url.includes('?') ? '&' : '?';
    let socket: WebSocketLike;
    try {
      socket = this.options.webSocket(`${this.options.url}${separator}ticket=${encodeURIComponent(ticket.ticket)}`);
    } catch {
      // A WebSocket that can't even be made (a bad URL, a platform refusing it): try again later, as after a drop.
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.setState('open');
      for (const [roomId, room] of this.rooms) this.sendJoin(roomId, room);
      if (this.orderWatchers > 0) {
        this.orderWatchResumed = this.ordersWatchedBefore;
        socket.send(JSON.stringify({ action: 'watchOrders' }));
      }
      if (ticket.expiresAt !== undefined) {
        const renewIn = Math.max(0, ticket.expiresAt - this.options.now() - this.options.renewBeforeMs);
        clearTimeout(this.renewTimer);
        this.renewTimer = setTimeout(() => this.renew(socket), renewIn);
      }
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data);
    };
    socket.onclose = () => {
      if (this.socket === socket) this.dropped();
    };
    // A failed connection also closes; that is where it is handled.
    socket.onerror = () => undefined;
  }

  /** Before the session expires: a new connection with a fresh ticket, resuming every room. */
  private renew(socket: WebSocketLike): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    socket.close(1000, 'Renewing the session');
    this.forgetConnection();
    this.attempt = 0;
    void this.open();
  }

  private dropped(): void {
    this.socket = undefined;
    // A close in flight may or may not have happened: the re-join's history says which.
    for (const closing of this.closing.values()) closing.reject(new ChatError(503, 'Connection lost: check the room'));
    this.closing.clear();
    clearTimeout(this.renewTimer);
    this.forgetConnection();
    if (this.currentState !== 'closed') this.scheduleReconnect();
  }

  /** What belonged to the connection: joins and messages in flight are redone on the next one. */
  private forgetConnection(): void {
    for (const room of this.rooms.values()) {
      room.joined = false;
      for (const outgoing of room.outbox) {
        outgoing.inFlight = false;
        clearTimeout(outgoing.timer);
      }
    }
  }

  private scheduleReconnect(atLeastMs = 0): void {
    this.setState('reconnecting');
    const { initialMs, maxMs } = this.options.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.attempt);
    this.attempt += 1;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.open(), Math.max(atLeastMs, this.options.random() * ceiling));
  }

  private isOpen(): boolean {
    return this.socket !== undefined && this.socket.readyState === OPEN && this.currentState === 'open';
  }

  private sendJoin(roomId: string, room: Room, after?: string): void {
    if (!this.isOpen()) return;
    const resumeFrom =
      after ?? (room.everJoined ? resumeAfter(room.messages.at(-1)?.id, this.options.resumeOverlapMs) : undefined);
    this.socket!.send(JSON.stringify({ action: 'joinRoom', roomId, ...(resumeFrom ? { after: resumeFrom } : {}) }));
  }

  private receive(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    // API Gateway's own answer to a frame it throttled or couldn't run ({ message }, no type).
    if (frame.type === undefined && typeof (frame as { message?: unknown }).message === 'string') {
      return this.onGatewayAnswer();
    }
    switch (frame.type) {
      case 'chatHistory':
        return this.onHistory(frame);
      case 'newMessage':
        return this.onMessages(frame.roomId, [frame.message]);
      case 'readState':
        return this.onReadState(frame);
      case 'readReceipt':
        return this.onReceipt(frame);
      case 'roomClosed':
        return this.onRoomClosed(frame);
      case 'orderStatusChanged':
        return this.emit({ type: 'orderStatusChanged', frame });
      case 'conversationChanged':
        return this.emit({ type: 'conversationChanged', frame });
      case 'orderListChanged':
        return this.emit({ type: 'orderListChanged', frame });
      case 'watchingOrders':
        // Watching again on a new connection: what changed while there was none is unknown.
        if (!frame.watching) return undefined;
        this.ordersWatchedBefore = true;
        if (!this.orderWatchResumed) return undefined;
        this.orderWatchResumed = false;
        return this.emit({ type: 'orderListChanged', frame: null });
      case 'presence':
        return this.onPresence(frame);
      case 'userTyping':
        return this.onTyping(frame);
      case 'error':
        return this.onError(frame);
      default:
        return undefined;
    }
  }

  private onHistory(frame: Frames['ChatHistoryFrame']): void {
    const room = this.rooms.get(frame.roomId);
    if (!room) return;
    const resumed = room.everJoined;
    // Who is here as the server read it for this join; a presence frame read later replaces it.
    const readAt = new Date(this.options.now()).toISOString();
    if (readAt >= room.presentAt) {
      room.present = frame.present;
      room.presentAt = readAt;
    }
    room.state = {
      roomId: frame.roomId,
      ...frame.room,
      olderCursor: resumed ? (room.state?.olderCursor ?? null) : frame.nextCursor,
      readState: frame.readState,
      present: room.present,
      typing: this.typingIn(room),
    };
    // A new connection: what was marked on the last one may not have been answered.
    room.markedUpTo = undefined;
    room.joined = true;
    room.everJoined = true;
    this.onMessages(frame.roomId, frame.messages);
    // A resumed page that isn't the last: the next one starts after it.
    if (resumed && frame.nextCursor) this.sendJoin(frame.roomId, room, frame.nextCursor);
    for (const waiter of room.joining.splice(0)) waiter.resolve(room.state);
    if (!frame.room.isOpen) this.failOutbox(room, new ChatError(409, 'Chat room is closed'));
    this.pump(room);
  }

  private onPresence(frame: Frames['PresenceFrame']): void {
    const room = this.rooms.get(frame.roomId);
    // Frames may overtake each other: the newest reading wins.
    if (!room || frame.at < room.presentAt) return;
    room.present = frame.members;
    room.presentAt = frame.at;
    if (room.state) room.state = { ...room.state, present: frame.members };
    this.emit({ type: 'room', roomId: frame.roomId });
  }

  private onTyping(frame: Frames['TypingNoticeFrame']): void {
    const room = this.rooms.get(frame.roomId);
    if (!room || frame.user.id === this.options.selfId) return;
    room.typing.set(frame.user.id, { participant: frame.user, until: this.options.now() + TYPING_SHOWN_MS });
    this.refreshTyping(frame.roomId, room);
  }

  /** Who is typing now; a timer takes each away when their time is up. */
  private typingIn(room: Room): Participant[] {
    const now = this.options.now();
    for (const [id, entry] of room.typing) if (entry.until <= now) room.typing.delete(id);
    return [...room.typing.values()].map((entry) => entry.participant);
  }

  private refreshTyping(roomId: string, room: Room): void {
    if (room.state) room.state = { ...room.state, typing: this.typingIn(room) };
    clearTimeout(room.typingTimer);
    const next = Math.min(...[...room.typing.values()].map((entry) => entry.until));
    if (Number.isFinite(next)) {
      room.typingTimer = setTimeout(() => this.refreshTyping(roomId, room), Math.max(0, next - this.options.now()));
    }
    this.emit({ type: 'room', roomId });
  }

  private onReadState({ type: _type, roomId, ...readState }: Frames['ReadStateFrame']): void {
    const room = this.rooms.get(roomId);
    if (!room?.state) return;
    room.state = { ...room.state, readState };
    this.emit({ type: 'room', roomId });
  }

  /** The other side read further: "Seen" moves. (Your own side's receipts change nothing you show.) */
  private onReceipt(frame: Frames['ReadReceiptFrame']): void {
    const room = this.rooms.get(frame.roomId);
    const readState = room?.state?.readState;
    if (!room?.state || !readState || frame.side === readState.side) return;
    if (readState.otherSideReadUpTo !== null && frame.messageId <= readState.otherSideReadUpTo) return;
    room.state = { ...room.state, readState: { ...readState, otherSideReadUpTo: frame.messageId } };
    this.emit({ type: 'room', roomId: frame.roomId });
  }

  private onMessages(roomId: string, incoming: readonly ChatMessage[]): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.messages = mergeMessages(room.messages, incoming);
    // Whoever wrote has stopped typing.
    if (incoming.some((message) => room.typing.delete(message.sender.id)) && room.state) {
      room.state = { ...room.state, typing: this.typingIn(room) };
    }
    // An acknowledgement, or a message stored before a drop whose acknowledgement was lost.
    for (const message of incoming) {
      const index = room.outbox.findIndex((outgoing) => outgoing.clientMessageId === message.clientMessageId);
      if (index === -1) continue;
      const [acknowledged] = room.outbox.splice(index, 1);
      clearTimeout(acknowledged!.timer);
      acknowledged!.resolve(message);
    }
    this.emit({ type: 'room', roomId });
    this.pump(room);
  }

  private onRoomClosed(frame: RoomClosedFrame): void {
    this.closing.get(frame.roomId)?.resolve();
    this.closing.delete(frame.roomId);
    const room = this.rooms.get(frame.roomId);
    if (room?.state) {
      room.state = { ...room.state, isOpen: false, summary: frame.summary, closedAt: frame.closedAt };
      this.failOutbox(room, new ChatError(409, 'Chat room is closed'));
      this.emit({ type: 'room', roomId: frame.roomId });
    }
    this.emit({ type: 'roomClosed', frame });
  }

  private onError(frame: ErrorFrame): void {
    const room = frame.roomId === undefined ? undefined : this.rooms.get(frame.roomId);
    // The server closes the connection of an ended session right after this frame; the reconnect asks for a new ticket.
    if (frame.status === 401) return;
    // A typing notice refused (too many, or a room just closed) is nothing to tell anyone about.
    if (frame.action === 'typing') return;
    if (room && frame.action === 'sendMessage' && frame.clientMessageId) {
      const outgoing = room.outbox.find((candidate) => candidate.clientMessageId === frame.clientMessageId);
      if (outgoing) return this.onSendRefused(room, outgoing, frame);
    }
    const closing = frame.action === 'closeRoom' && frame.roomId ? this.closing.get(frame.roomId) : undefined;
    if (closing) {
      this.closing.delete(frame.roomId!);
      return closing.reject(new ChatError(frame.status, frame.message));
    }
    if (room && frame.action === 'joinRoom' && !room.joined) {
      if (RETRYABLE.has(frame.status)) {
        setTimeout(
          () => {
            if (this.rooms.get(frame.roomId!) === room && !room.joined) this.sendJoin(frame.roomId!, room);
          },
          this.retryDelay(frame, 1),
        );
        return;
      }
      this.rooms.delete(frame.roomId!);
      this.failRoom(room, new ChatError(frame.status, frame.message));
      this.emit({ type: 'room', roomId: frame.roomId! });
      return;
    }
    this.emit({ type: 'error', frame });
  }

  /**
   * API Gateway refused a frame itself (its stage throttle, an integration that failed or timed
   * out) and doesn't say which: everything in flight is sent again after a backoff. Both are safe to
   * repeat: a join answers with the room's history again, and a message keeps its clientMessageId,
   * which the server never stores twice. A close in flight is left to its roomClosed (or the
   * re-join's history): it may have happened.
   */
  private onGatewayAnswer(): void {
    const delay = this.retryDelay({ type: 'error', status: 429, message: '' }, 1);
    for (const [roomId, room] of this.rooms) {
      if (!room.joined) {
        setTimeout(() => {
          if (this.rooms.get(roomId) === room && !room.joined) this.sendJoin(roomId, room);
        }, delay);
      }
      const head = room.outbox[0];
      if (head?.inFlight) {
        clearTimeout(head.timer);
        head.inFlight = false;
        head.retryAt = this.options.now() + delay;
        head.timer = setTimeout(() => this.pump(room), delay);
      }
    }
  }

  private onSendRefused(room: Room, outgoing: Outgoing, frame: ErrorFrame): void {
    clearTimeout(outgoing.timer);
    outgoing.inFlight = false;
    if (RETRYABLE.has(frame.status) && outgoing.attempts < this.options.maxSendAttempts) {
      const delay = this.retryDelay(frame, outgoing.attempts);
      outgoing.retryAt = this.options.now() + delay;
      outgoing.timer = setTimeout(() => this.pump(room), delay);
      return;
    }
    room.outbox.splice(room.outbox.indexOf(outgoing), 1);
    outgoing.reject(new ChatError(frame.status, frame.message));
    this.emit({ type: 'room', roomId: outgoing.roomId });
    this.pump(room);
  }

  private retryDelay(frame: ErrorFrame, attempt: number): number {
    if (frame.retryAfter) return frame.retryAfter * 1000;
    const { initialMs, maxMs } = this.options.backoff;
    return this.options.random() * Math.min(maxMs, initialMs * 2 ** attempt);
  }

  /** Sends a room's next message once the one before it was acknowledged. */
  private pump(room: Room): void {
    const head = room.outbox[0];
    if (!head || head.inFlight || !room.joined || !this.isOpen()) return;
    // Still waiting out a refusal: its timer pumps again.
    if (head.retryAt !== undefined && this.options.now() < head.retryAt) return;
    clearTimeout(head.timer);
    head.retryAt = undefined;
    head.inFlight = true;
    head.attempts += 1;
    this.socket!.send(
      JSON.stringify({
        action: 'sendMessage',
        roomId: head.roomId,
        content: head.content,
        clientMessageId: head.clientMessageId,
        ...(head.attachmentIds ? { attachmentIds: head.attachmentIds } : {}),
      }),
    );
    head.timer = setTimeout(() => {
      // No acknowledgement: the same id again (the server answers a repeat with the original).
      head.inFlight = false;
      head.timer = undefined;
      this.pump(room);
    }, this.options.ackTimeoutMs);
  }

  private failOutbox(room: Room, error: Error, fail = reject): void {
    for (const outgoing of room.outbox.splice(0)) {
      clearTimeout(outgoing.timer);
      fail(outgoing, error);
    }
  }

  /** Fails what waits on the room: a join, unsent messages (`abandon` when the caller closed the client). */
  private failRoom(room: Room, error: Error, fail = reject): void {
    clearTimeout(room.typingTimer);
    this.failOutbox(room, error, fail);
    for (const waiter of room.joining.splice(0)) fail(waiter, error);
  }

  private setState(state: ChatState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit({ type: 'state', state });
  }

  private emit(event: ChatEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
