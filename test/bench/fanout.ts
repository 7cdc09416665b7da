/**
 * Chat fan-out through the local WebSocket gateway: one room, N connected clients listening, and
 * senders taking turns; for each message, the time from its send to the last listener's receipt,
 * and the listeners it never reached. The listeners are connections of the room's members (its
 * owner and admins), each member holding at most MAX_CONNECTIONS_PER_USER of them, as the limits
 * allow; two senders (the owner and an admin) share the messages, so the per-user chat limit
 * (lambdas/limits/policy.ts) paces them rather than refusing them.
 */
import WebSocket from 'ws';
import { LIMITS, MAX_CONNECTIONS_PER_USER } from '#lambdas/limits/policy.ts';

export interface FanoutSetup {
  httpUrl: string;
  wsUrl: string;
  roomId: string;
  /**
   * Members of the room the listeners connect as, in turn: each opens MAX_CONNECTIONS_PER_USER
   * (listenersPerMember says how many a measurement needs).
   */
  listenerTokens: string[];
  /** Who sends, in turn (each a member of the room). */
  senderTokens: string[];
}

export interface FanoutRow {
  listeners: number;
  messages: number;
  p50Ms: number;
  p99Ms: number;
  /** Deliveries that never arrived (within 10 s), over every message and listener. */
  lost: number;
}

interface Listener {
  socket: WebSocket;
  /** clientMessageId → when this listener received it. */
  received: Map<string, number>;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * p) - 1)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openSocket(setup: FanoutSetup, token: string): Promise<WebSocket> {
  const { ticket } = (await fetch(`${setup.httpUrl}/chat/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.json())) as { ticket: string };
  const socket = new WebSocket(`${setup.wsUrl}?ticket=${encodeURIComponent(ticket)}`, {
    headers: { 'user-agent': 'order-chat-bench' },
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}

/** Joins and waits for the history that answers it (a refused join is an error, not a listener). */
async function join(socket: WebSocket, roomId: string): Promise<void> {
  const answered = new Promise<void>((resolve, reject) => {
    const onFrame = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'chatHistory') resolve();
      else if (frame.type === 'error' || frame.message) reject(new Error(`joinRoom: ${data.toString()}`));
      else return;
      socket.off('message', onFrame);
    };
    socket.on('message', onFrame);
  });
  socket.send(JSON.stringify({ action: 'joinRoom', roomId }));
  await answered;
}

/** How many members the listeners of a room of `size` connections need. */
export const listenersPerMember = (size: number) => Math.ceil(size / MAX_CONNECTIONS_PER_USER);

async function addListener(setup: FanoutSetup, listeners: Listener[], index: number): Promise<void> {
  const token = setup.listenerTokens[Math.floor(index / MAX_CONNECTIONS_PER_USER)];
  if (!token) throw new Error('Too few listening members for the room (see listenersPerMember)');
  const socket = await openSocket(setup, token);
  await join(socket, setup.roomId);
  const listener: Listener = { socket, received: new Map() };
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === 'newMessage' && frame.message.clientMessageId) {
      listener.received.set(frame.message.clientMessageId, performance.now());
    }
  });
  listeners.push(listener);
}

/** Measures each room size in turn, adding listeners to the same room between sizes. */
export async function measureFanout(setup: FanoutSetup, sizes: number[], messages: number): Promise<FanoutRow[]> {
  const listeners: Listener[] = [];
  const senders = await Promise.all(setup.senderTokens.map((token) => openSocket(setup, token)));
  for (const sender of senders) await join(sender, setup.roomId);
  // Within each sender's chat limit: a refused message would measure the limit, not the fan-out.
  const { limit, windowSeconds } = LIMITS.chatMessage;
  const gapMs = Math.ceil((windowSeconds * 1000) / (limit * senders.length)) + 20;
  const rows: FanoutRow[] = [];
  try {
    for (const size of sizes) {
      // Joins go through the stage throttle like any frame: a few dozen a second stays well inside it.
      while (listeners.length < size) {
        const from = listeners.length;
        await Promise.all(
          Array.from({ length: Math.min(25, size - from) }, (_, i) => addListener(setup, listeners, from + i)),
        );
        await sleep(100);
      }
      const times: number[] = [];
      let lost = 0;
      for (let i = 0; i < messages; i++) {
        const clientMessageId = `fanout-${size}-${i}-${Date.now()}`;
        const sentAt = performance.now();
        senders[i % senders.length]!.send(
          JSON.stringify({ action: 'sendMessage', roomId: setup.roomId, content: `fan-out ${i}`, clientMessageId }),
        );
        const deadline = sentAt + 10_000;
        while (performance.now() < deadline && listeners.some((l) => !l.received.has(clientMessageId))) {
          await sleep(2);
        }
        const arrivals = listeners.map((l) => l.received.get(clientMessageId));
        lost += arrivals.filter((at) => at === undefined).length;
        const last = Math.max(...arrivals.filter((at): at is number => at !== undefined));
        if (Number.isFinite(last)) times.push(last - sentAt);
        const next = sentAt + gapMs;
        if (performance.now() < next) await sleep(next - performance.now());
      }
      rows.push({
        listeners: size,
        messages,
        p50Ms: percentile(times, 0.5),
        p99Ms: percentile(times, 0.99),
        lost,
      });
    }
  } finally {
    for (const socket of [...senders, ...listeners.map((l) => l.socket)]) socket.terminate();
  }
  return rows;
}
