/**
 * Cost that doesn't grow with the data: two local runtimes side by side, one holding 1,000 orders
 * (the measured room: 100 messages), the other 100,000 (the room: 10,000), and the same requests
 * sent to each in turn — one to the small, one to the large — so the machine's own drift falls on
 * both alike. Each operation's p50/p99 on both, and their ratio (issue 12: ≤ 1.2).
 * The tables are filled through the repositories' own item shapes, 25 items a request.
 */
import { ulid } from 'ulid';
import { request } from './requests.ts';

export interface GrowthRow {
  operation: string;
  small: { p50: number; p99: number };
  large: { p50: number; p99: number };
  /** large p50 / small p50; for p99, the median of the rounds' large p99 / small p99. */
  ratioP50: number;
  ratioP99: number;
}

export interface Seeder {
  /** Adds `count` orders spread over `owners` (placed at distinct past times, newest last): their ids, in that order. */
  orders(count: number, owners: string[]): Promise<string[]>;
  /** Adds `count` messages to a room. */
  messages(roomId: string, count: number): Promise<void>;
}

/** Who calls a target: a customer, an admin, placers of orders and readers of pages (their access tokens). */
export interface GrowthCallers {
  customer: string;
  admin: string;
  placers: string[];
  readers: string[];
}

/**
 * A runtime to measure, its table's filler, the customer whose orders it holds, and who calls it:
 * signed in once the table is full (filling 100,000 orders outlasts a 15-minute access token).
 */
export interface GrowthTarget {
  httpUrl: string;
  seeder: Seeder;
  customerId: string;
  callers: () => Promise<GrowthCallers>;
}

const ORDERS_PER_PLACER = 50;
const WARM_UP_SHARE = 4;

/** How many placers a target needs for `rounds` of `samples` orders, warm-up included. */
export const placersNeeded = (samples: number, rounds: number) =>
  Math.ceil((samples * rounds + Math.ceil(samples / WARM_UP_SHARE)) / ORDERS_PER_PLACER);

/** Page reads are limited per user (60 a minute): each reader (an admin: the room is not theirs) reads this many. */
const PAGES_PER_READER = 50;
/** The room's two operations read pages: how many readers a target needs for them, warm-up included. */
export const readersNeeded = (samples: number, rounds: number) =>
  Math.ceil((2 * (samples * rounds + Math.ceil(samples / WARM_UP_SHARE))) / PAGES_PER_READER);

const median = (values: number[]) => percentile(values, 0.5);

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * p) - 1)]!;

type Call = (method: string, path: string, token: string, body?: unknown) => Promise<Record<string, unknown>>;

const caller =
  (base: string): Call =>
  (method, path, token, body) =>
    request(base, method, path, { token, ...(body ? { body } : {}) });

/** Fills a target's tables: the room measured is the newest of the customer's 50 orders, the newest seeded. */
async function fill(target: GrowthTarget, orders: number, messages: number): Promise<string> {
  const others = Array.from({ length: 200 }, () => `bench-owner-${ulid()}`);
  await target.seeder.orders(orders - 50, others);
  const roomId = (await target.seeder.orders(50, [target.customerId])).at(-1)!;
  await target.seeder.messages(roomId, messages);
  return roomId;
}

/** A filled target's operations, each ready to run again and again, by callers signed in now. */
async function prepare(target: GrowthTarget, roomId: string, deepPage: number) {
  const call = caller(target.httpUrl);
  const callers = await target.callers();
  const { customer, admin } = callers;
  // A deep page of the admins' list (the 50th): its cursor, found by walking there.
  let cursor = '';
  for (let page = 1; page < deepPage; page++) {
    const listed = await call('GET', `/orders?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, admin);
    cursor = listed.nextCursor as string;
  }
  const latest = await call('GET', `/chat/rooms/${roomId}`, customer);
  const olderThan = (latest.messages as { id: string }[])[0]!.id;
  const orderIds = ((await call('GET', '/orders?limit=50', customer)).items as { id: string }[]).map((o) => o.id);
  const body = { description: 'Growth order', specifications: { colour: 'navy' }, quantity: 1 };
  // Order writes are limited per user (60 a minute): each placer places ORDERS_PER_PLACER, then the next one takes over.
  let placed = 0;
  const placer = () => callers.placers[Math.floor(placed++ / ORDERS_PER_PLACER)];
  let read = 0;
  const reader = () => {
    const token = callers.readers[Math.floor(read++ / PAGES_PER_READER)];
    if (!token) throw new Error('Too few readers for the samples (see readersNeeded)');
    return token;
  };
  return {
    operations: {
      'POST /orders': () => {
        const token = placer();
        if (!token) throw new Error('Too few placers for the samples (see placersNeeded)');
        return call('POST', '/orders', token, body);
      },
      'GET /orders/{id}': (i: number) => call('GET', `/orders/${orderIds[i % orderIds.length]}`, customer),
      'GET /orders (first page, all orders)': () => call('GET', '/orders?limit=20', admin),
      [`GET /orders (page ${deepPage}, all orders)`]: () =>
        call('GET', `/orders?limit=20&cursor=${encodeURIComponent(cursor)}`, admin),
      'GET /orders (first page, one customer)': () => call('GET', '/orders?limit=20', customer),
      'GET /chat/rooms/{roomId} (latest 50 messages)': () => call('GET', `/chat/rooms/${roomId}`, reader()),
      'GET /chat/rooms/{roomId}/messages (an older page)': () =>
        call('GET', `/chat/rooms/${roomId}/messages?before=${olderThan}&limit=50`, reader()),
    } as Record<string, (i: number) => Promise<unknown>>,
  };
}

export async function measureDataGrowth(
  small: GrowthTarget,
  large: GrowthTarget,
  sizes = {
    small: 1_000,
    large: 100_000,
    smallRoom: 100,
    largeRoom: 10_000,
    samples: 400,
    rounds: 5,
    deepPage: 50,
  },
): Promise<GrowthRow[]> {
  // Both filled before anyone signs in: filling the large one outlasts a 15-minute access token.
  const [smallRoom, largeRoom] = await Promise.all([
    fill(small, sizes.small, sizes.smallRoom),
    fill(large, sizes.large, sizes.largeRoom),
  ]);
  const [a, b] = await Promise.all([
    prepare(small, smallRoom, sizes.deepPage),
    prepare(large, largeRoom, sizes.deepPage),
  ]);
  const timeOne = async (run: (i: number) => Promise<unknown>, i: number) => {
    const started = performance.now();
    await run(i);
    return performance.now() - started;
  };
  const measureRound = async (samples: number) => {
    const rows: Record<string, { small: number[]; large: number[] }> = {};
    for (const operation of Object.keys(a.operations)) {
      const times = { small: [] as number[], large: [] as number[] };
      for (let i = 0; i < samples; i++) {
        // Each goes first every other time, so neither always runs right after the other's request.
        if (i % 2) times.large.push(await timeOne(b.operations[operation]!, i));
        times.small.push(await timeOne(a.operations[operation]!, i));
        if (!(i % 2)) times.large.push(await timeOne(b.operations[operation]!, i));
      }
      rows[operation] = times;
    }
    return rows;
  };
  // Warm-up: loads every function and lets both JITs (Node's, DynamoDB Local's JVM) settle.
  await measureRound(Math.ceil(sizes.samples / WARM_UP_SHARE));
  // The p99 is taken per round and the median of the rounds kept: a burst of pauses (a GC of one
  // runtime's JVM, the VM's neighbours) that lands in one round does not decide it.
  const rounds: Awaited<ReturnType<typeof measureRound>>[] = [];
  for (let round = 0; round < sizes.rounds; round++) rounds.push(await measureRound(sizes.samples));
  return Object.keys(a.operations).map((operation) => {
    const all = (side: 'small' | 'large') => rounds.flatMap((round) => round[operation]![side]);
    const p99s = (side: 'small' | 'large') => rounds.map((round) => percentile(round[operation]![side], 0.99));
    const s = { p50: percentile(all('small'), 0.5), p99: median(p99s('small')) };
    const l = { p50: percentile(all('large'), 0.5), p99: median(p99s('large')) };
    const ratioP99 = median(rounds.map((_, i) => p99s('large')[i]! / p99s('small')[i]!));
    return { operation, small: s, large: l, ratioP50: l.p50 / s.p50, ratioP99 };
  });
}
