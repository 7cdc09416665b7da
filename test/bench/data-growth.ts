/**
 * Cost that doesn't grow with the data: the same requests, through the local runtime, with 1,000
 * orders in the table and then with 100,000 (and the measured room with 100, then 10,000
 * messages). Each operation's p50/p99 at both sizes, and the ratio (issue 12: ≤ 1.2).
 * The table is filled straight through the repositories' own item shapes, 25 items a request.
 */
import { ulid } from 'ulid';

export interface GrowthRow {
  operation: string;
  small: { p50: number; p99: number };
  large: { p50: number; p99: number };
  /** large p50 / small p50 (and p99 / p99). */
  ratioP50: number;
  ratioP99: number;
}

export interface Seeder {
  /** Adds `count` orders spread over `owners` (placed at distinct times, newest last). */
  orders(count: number, owners: string[]): Promise<void>;
  /** Adds `count` messages to a room. */
  messages(roomId: string, count: number): Promise<void>;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * p) - 1)]!;

export async function measureDataGrowth(
  runtime: { httpUrl: string },
  /** `creators`: a customer for each measurement's orders (60 order writes a minute per user). */
  tokens: { customer: string; customerId: string; admin: string; creators: [string, string, string] },
  seeder: Seeder,
  sizes = { small: 1_000, large: 100_000, smallRoom: 100, largeRoom: 10_000, samples: 200 },
): Promise<GrowthRow[]> {
  const base = runtime.httpUrl;
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const timed = async (samples: number, action: (i: number) => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await action(i);
      times.push(performance.now() - started);
    }
    return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
  };
  const others = Array.from({ length: 200 }, () => `bench-owner-${ulid()}`);
  const orderBody = { description: 'Growth order', specifications: { colour: 'navy' }, quantity: 1 };

  const measureAll = async (roomId: string, creates: number, creator: string) => {
    // Page 50 of the admins' list: its cursor, found by walking there.
    let cursor: string | undefined;
    for (let page = 1; page < 50; page++) {
      const listed = await call(
        'GET',
        `/orders?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        tokens.admin,
      );
      cursor = listed.nextCursor as string;
    }
    const firstMessages = await call('GET', `/chat/rooms/${roomId}`, tokens.customer);
    const deep = (firstMessages.messages as { id: string }[])[0]!.id;
    const orderIds = ((await call('GET', '/orders?limit=50', tokens.customer)).items as { id: string }[]).map(
      (o) => o.id,
    );
    const results: Record<string, { p50: number; p99: number }> = {
      'POST /orders': await timed(creates, () => call('POST', '/orders', creator, orderBody)),
      'GET /orders/{id}': await timed(sizes.samples, (i) =>
        call('GET', `/orders/${orderIds[i % orderIds.length]}`, tokens.customer),
      ),
      'GET /orders (first page, all orders)': await timed(sizes.samples, () =>
        call('GET', '/orders?limit=20', tokens.admin),
      ),
      'GET /orders (page 50, all orders)': await timed(sizes.samples, () =>
        call('GET', `/orders?limit=20&cursor=${encodeURIComponent(cursor!)}`, tokens.admin),
      ),
      'GET /orders (first page, one customer)': await timed(sizes.samples, () =>
        call('GET', '/orders?limit=20', tokens.customer),
      ),
      'GET /chat/rooms/{roomId} (latest 50 messages)': await timed(sizes.samples, () =>
        call('GET', `/chat/rooms/${roomId}`, tokens.customer),
      ),
      'GET /chat/rooms/{roomId}/messages (an older page)': await timed(sizes.samples, () =>
        call('GET', `/chat/rooms/${roomId}/messages?before=${deep}&limit=50`, tokens.customer),
      ),
    };
    return results;
  };

  // The customer's own orders: the same 50 at both sizes (and their newest is the measured room).
  await seeder.orders(sizes.small - 50, others);
  for (let i = 0; i < 50; i++) await seeder.orders(1, [tokens.customerId]);
  const { roomId } = await firstRoom(call, tokens.customer);
  await seeder.messages(roomId, sizes.smallRoom);
  // Warm-up: first calls load functions, and both JITs (Node's and DynamoDB Local's JVM) need a while.
  await measureAll(roomId, 3, tokens.creators[0]);
  await measureAll(roomId, 0, tokens.creators[0]);
  const small = await measureAll(roomId, 40, tokens.creators[1]);
  await seeder.orders(sizes.large - sizes.small, others);
  await seeder.messages(roomId, sizes.largeRoom - sizes.smallRoom);
  const large = await measureAll(roomId, 40, tokens.creators[2]);
  return Object.keys(small).map((operation) => ({
    operation,
    small: small[operation]!,
    large: large[operation]!,
    ratioP50: large[operation]!.p50 / small[operation]!.p50,
    ratioP99: large[operation]!.p99 / small[operation]!.p99,
  }));
}

async function firstRoom(
  call: (method: string, path: string, token: string) => Promise<Record<string, unknown>>,
  token: string,
) {
  const items = (await call('GET', '/orders?limit=1', token)).items as { id: string }[];
  return { roomId: items[0]!.id };
}
