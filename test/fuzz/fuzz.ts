/**
 * Property-based requests for every HTTP route and every WebSocket action of the route table,
 * valid-looking and broken, anonymous and signed in, against a running local runtime. Checks:
 * no answer is 5xx (no frame carries a 5xx status), and refused requests write nothing: every
 * order and message in the tables afterwards was answered 201 / acknowledged to its sender.
 *
 * `npm run fuzz` runs ≥ 10,000 requests on a runtime of its own; test/e2e/fuzz.test.ts runs a
 * seconds-long sample inside `npm test`.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import * as z from 'zod';
import { emulatorClientConfig } from '#local/aws.ts';
import { credentialsFromSecret } from '#local/credentials.ts';
import { httpRoutes, splitRouteKey, wsRoutes, type HttpRoute, type WsRoute } from '#lambdas/routes.ts';
import { arbitraryFor, mutated } from './schema-arbitrary.ts';
import { codeFor } from '../support/mailbox.ts';

export interface FuzzTarget {
  httpUrl: string;
  wsUrl: string;
  dynamoDbEndpoint: string;
  /** Where the sign-up codes arrive (local/mailbox.ts). */
  mailboxUrl: string;
}

export interface FuzzResult {
  /** Replays this run: FUZZ_SEED=<seed> npm run fuzz (with the same counts). */
  seed: number;
  /** The fuzzing users: only their orders and messages are compared with what was answered. */
  userIds: string[];
  requests: number;
  frames: number;
  serverErrors: string[];
  created: Set<string>;
  acked: Set<string>;
  /**
   * Contents of messages sent on a socket the server then closed (a frame over 32 KB): one may be
   * stored with its acknowledgement lost with the socket, which a client recovers with joinRoom `after`.
   */
  unconfirmable: Set<string>;
  /** Answers by status: valid requests must reach the domain too, not only the front door. */
  statuses: Record<number, number>;
}

const STRONG_PASSWORD = 'Str0ng!Passw0rd';

async function signIn(target: FuzzTarget, label: string) {
  const email = `fuzz-${label}-${Math.random().toString(36).slice(2, 10)}@example.test`;
  const post = (path: string, body: unknown) =>
    fetch(`${target.httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<any>);
  await post('/auth/register', { name: `Fuzz ${label}`, email, password: STRONG_PASSWORD });
  await post('/auth/confirm-email', {
    email,
    password: STRONG_PASSWORD,
    code: await codeFor(target.mailboxUrl, email),
  });
  // The fuzzer's own logins share the auth routes' throttle with its fuzzed ones: wait it out.
  const login = async (): Promise<{ accessToken: string; user: { id: string } }> => {
    for (let attempt = 0; ; attempt++) {
      const answer = await post('/auth/login', { email, password: STRONG_PASSWORD });
      if (answer.accessToken || attempt === 20) return answer;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  return { ...(await login()), login };
}

// Strings that have broken parsers before: encodings, controls, huge numbers, prototype keys.
const nasty = fc.constantFrom(
  '%ZZ',
  '%',
  '..%2F..',
  '\u0000',
  '\u202E',
  '__proto__',
  'constructor',
  '1e309',
  '-0',
  '{"a":',
  '[]',
  'null',
  '01M8M02A1TZVT6DQHNGRN5QJ7X',
  'x'.repeat(300),
  // Invisible or layout-changing characters, and a name that passes for a role.
  'a\u0085b',
  'a\u2028b',
  'a\u200Bb',
  '\uFEFFa',
  'a\u{E0041}b',
  'a\uD800b',
  'Root Admin (admin)',
);
/** Numbers DynamoDB (or the SDK) can't take as they are: past 2^53, past 1e126, below 1e-130. */
const nastyNumber = fc.constantFrom(2 ** 53, JSON.parse('12345678901234567890') as number, 1e100, -1e300, 5e-324);
const nastyValue = fc.oneof(nasty, nastyNumber);
const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('user', 'second') },
  { weight: 1, arbitrary: fc.constantFrom('none', 'garbage') },
);
/** Below the local stage throttle (200/s): a throttled request tests only the throttle. */
const REQUESTS_PER_SECOND = 150;
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.oneof(fc.string(), nasty), fc.oneof(fc.jsonValue({ maxDepth: 2 }), nastyValue), { maxKeys: 6 }),
);
const rawBody = fc.oneof(
  jsonish.map((v) => JSON.stringify(v) ?? 'null'),
  fc.string(),
  fc.constant('['.repeat(5000)),
  fc.nat({ max: 3000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
);
const junkQuery = fc
  .dictionary(fc.oneof(fc.string(), nasty), fc.oneof(fc.string(), nasty), { maxKeys: 4 })
  .map((q) => new URLSearchParams(q).toString());

/**
 * A path or frame id: one of the caller's own resources, the other user's, a well-formed id from
 * the schema that names nothing, or junk. Own and other are resolved when the request is sent.
 */
type IdChoice = { kind: 'own' | 'other'; pick: number } | { kind: 'literal'; value: string };
const idChoice = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<IdChoice> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('own' as const, 'other' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: valid.map((value) => ({ kind: 'literal' as const, value: String(value) })) },
    // A lone surrogate can't be percent-encoded: a path carries its well-formed form.
    {
      weight: 1,
      arbitrary: nasty.map((value) => ({
        kind: 'literal' as const,
        value: encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '\uFFFD')),
      })),
    },
  );

/** Valid by the route's own schema most of the time, broken in one way often, junk sometimes. */
const validMostly = (schema: z.ZodType | undefined, junk: fc.Arbitrary<string>) => {
  if (!schema) return fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: junk });
  const valid = arbitraryFor(schema);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: mutated(valid, nastyValue).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: junk },
  );
};
const paramSchema = (route: HttpRoute, name: string) =>
  route.request?.params && 'shape' in route.request.params
    ? ((route.request.params as z.ZodObject).shape[name] as z.ZodType)
    : z.string();
const asQueryString = (json: string) =>
  json.startsWith('{') ? new URLSearchParams(JSON.parse(json) as Record<string, string>).toString() : json;

/** Signed-in routes whose body carries the caller's password: each wrong one counts against the address. */
const CHECKS_OWN_PASSWORD = new Set(
  Object.entries(httpRoutes as Record<string, HttpRoute>)
    .filter(([, route]) => {
      const body = route.request?.body;
      const fields = body && 'shape' in body ? Object.keys((body as z.ZodObject).shape) : [];
      return route.access !== 'public' && fields.some((field) => /^(password|currentPassword)$/.test(field));
    })
    .map(([key]) => key),
);

// Sign-outs are fuzzed too, but rarer: each one makes its user sign in again (about a second).
const routeKeys = fc.oneof(
  { weight: 24, arbitrary: fc.constantFrom(...Object.keys(httpRoutes).filter((key) => !key.includes('logout'))) },
  { weight: 1, arbitrary: fc.constantFrom(...Object.keys(httpRoutes).filter((key) => key.includes('logout'))) },
);
const httpRequest = routeKeys.chain((key) => {
  const route = (httpRoutes as Record<string, HttpRoute>)[key]!;
  const names = [...key.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  return fc.record({
    route: fc.constant(key),
    params: fc.tuple(...names.map((name) => idChoice(arbitraryFor(paramSchema(route, name))))),
    query: validMostly(route.request?.query, junkQuery).map(asQueryString),
    body: validMostly(route.request?.body, rawBody),
    contentType: fc.oneof(
      { weight: 4, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', '', 'application/json; charset=utf-8') },
    ),
    caller: token,
    ifMatch: fc.oneof(fc.constant(undefined), fc.constantFrom('"1"', '*', 'W/"x"', '"-1"'), fc.string()),
    idempotencyKey: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 300 })),
  });
});

const validFrames = Object.values(wsRoutes as Record<string, WsRoute>).flatMap((route) =>
  route.frame ? [arbitraryFor(route.frame) as fc.Arbitrary<Record<string, unknown>>] : [],
);
const wsFrame = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.oneof(...validFrames), idChoice(fc.constant('01M8M02A1TZVT6DQHNGRN5QJ7X')))
      .map(([frame, roomId]) => ({ frame, roomId })),
  },
  {
    weight: 2,
    arbitrary: mutated(fc.oneof(...validFrames), nastyValue).map((frame) => ({ frame, roomId: undefined })),
  },
  { weight: 1, arbitrary: fc.oneof(jsonish, fc.string()).map((frame) => ({ frame, roomId: undefined })) },
);

export async function fuzz(
  target: FuzzTarget,
  counts: { http: number; frames: number; seed?: number },
): Promise<FuzzResult> {
  // Generated first: sampling blocks for seconds, and keep-alive sockets must not idle through it.
  const seed = counts.seed ?? Date.now();
  const requests = fc.sample(httpRequest, { numRuns: counts.http, seed });
  const frames = fc.sample(wsFrame, { numRuns: counts.frames, seed: seed + 1 });
  // Two customers (no admin is at hand without the bootstrap admin's password): each one's token is
  // offered on every route, their own and the other's orders and rooms, and the admin routes.
  const users = { user: await signIn(target, 'user'), second: await signIn(target, 'second') };
  // Routes that check the caller's own password count each wrong one against the address, which
  // then signs in no more for 15 minutes: a user's are fuzzed with an account of their own, so the
  // fuzzer's users can always sign in again.
  const lockable = await signIn(target, 'lockable');
  // Promises: after a sign-out every worker waits for the same new sign-in.
  const tokens: Record<string, Promise<string | undefined>> = {
    user: Promise.resolve(users.user.accessToken),
    second: Promise.resolve(users.second.accessToken),
    none: Promise.resolve(undefined),
    garbage: Promise.resolve('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
  };
  const result: FuzzResult = {
    userIds: [users.user.user.id, users.second.user.id],
    seed,
    requests: 0,
    frames: 0,
    serverErrors: [],
    created: new Set(),
    acked: new Set(),
    unconfirmable: new Set(),
    statuses: {},
  };
  // Each user's orders (their rooms too), so generated requests name real resources.
  const orderIds: Record<'user' | 'second', string[]> = { user: [], second: [] };
  for (const who of ['user', 'second'] as const) {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${target.httpUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokens[who]}` },
        body: JSON.stringify({ description: `Fuzz order ${i}`, specifications: {}, quantity: 1 }),
      });
      const { id } = (await response.json()) as { id: string };
      orderIds[who].push(id);
      result.created.add(id);
    }
  }
  const resolveId = (choice: IdChoice, caller: string, route: string) => {
    if (choice.kind === 'literal') return choice.value;
    const owner = (choice.kind === 'own') === (caller !== 'second') ? 'user' : 'second';
    if (route.includes(' /users/')) return users[owner].user.id;
    const pool = orderIds[owner];
    return pool[choice.pick % pool.length]!;
  };

  let next = 0;
  let nextSlot = performance.now();
  const paced = async () => {
    const now = performance.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + 1000 / REQUESTS_PER_SECOND;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  };
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      await paced();
      const r = requests[i]!;
      const { method, path } = splitRouteKey(r.route);
      let p = 0;
      const filled = path.replace(/\{\w+\}/g, () => resolveId(r.params[p++]!, r.caller, r.route));
      const url = `${target.httpUrl}${filled}${r.query ? `?${r.query}` : ''}`;
      const headers: Record<string, string> = {};
      const ownPassword = CHECKS_OWN_PASSWORD.has(r.route) && (r.caller === 'user' || r.caller === 'second');
      const bearer = ownPassword ? lockable.accessToken : await tokens[r.caller];
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
      if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey.replace(/[^\x20-\x7e]/g, '');
      const hasBody = method !== 'GET' && method !== 'DELETE';
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, { method, headers, ...(hasBody ? { body: r.body } : {}) });
        text = await response.text();
      } catch (error) {
        // A dropped connection is an answer no client can act on: counted with the 5xx.
        result.requests++;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        result.serverErrors.push(
          `${method} ${url.slice(0, 120)} → no answer (${cause?.code ?? cause?.message ?? String(error)}); ` +
            `headers ${JSON.stringify(headers).slice(0, 300)}; body ${JSON.stringify(r.body.slice(0, 200))}`,
        );
        continue;
      }
      result.requests++;
      result.statuses[response.status] = (result.statuses[response.status] ?? 0) + 1;
      // /health takes no input: its 503 reports a dependency that didn't answer in time (a machine
      // busy enough does that), not a request it failed on.
      const dependencyDown = r.route === 'GET /health' && response.status === 503;
      if (response.status >= 500 && !dependencyDown)
        result.serverErrors.push(`${method} ${url.slice(0, 120)} → ${response.status} ${text.slice(0, 200)}`);
      if (r.route === 'POST /orders' && response.status === 201) {
        const { id } = JSON.parse(text) as { id: string };
        result.created.add(id);
        if (r.caller === 'user' || r.caller === 'second') orderIds[r.caller].push(id);
      }
      // A successful sign-out would leave the rest of the run anonymous: sign that user in again.
      if (/logout/.test(r.route) && response.ok && (r.caller === 'user' || r.caller === 'second')) {
        tokens[r.caller] = users[r.caller].login().then((answer) => answer.accessToken);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));

  // Frames: one socket per caller, all frames sent with a small pause so the rate limit is hit but not only it.
  let lastFrameAt = Date.now();
  let finished = false;
  const openSocket = async (who: 'user' | 'second') => {
    const session = await users[who].login();
    let ticket: { ticket?: string } = {};
    // The requests above may have spent the user's tickets for the minute: wait as a client would.
    for (let attempt = 0; attempt < 3 && !ticket.ticket; attempt++) {
      const response = await fetch(`${target.httpUrl}/chat/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      ticket = (await response.json()) as { ticket?: string };
      if (response.status === 429) {
        await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after') ?? 1) * 1000 + 100));
      }
    }
    if (!ticket.ticket) throw new Error(`No ticket for ${who}: ${JSON.stringify(ticket)}`);
    const socket = Object.assign(new WebSocket(`${target.wsUrl}?ticket=${encodeURIComponent(ticket.ticket)}`), {
      sentContents: [] as string[],
    });
    socket.once('close', () => {
      if (!finished) for (const content of socket.sentContents) result.unconfirmable.add(content);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.on('message', (data) => {
      lastFrameAt = Date.now();
      const frame = JSON.parse(data.toString());
      if (frame.type === 'newMessage' && frame.message.sender.id === session.user.id)
        result.acked.add(frame.message.id);
      if (
        (typeof frame.status === 'number' && frame.status >= 500) ||
        /server error|timed out/.test(String(frame.message))
      ) {
        result.serverErrors.push(`frame → ${data.toString().slice(0, 200)}`);
      }
    });
    return socket;
  };
  // Frames alternate between the two callers; a socket the server closed (a frame over 32 KB, an ended
  // session) is replaced by a new one, so every frame is delivered.
  const callers = ['user', 'second'] as const;
  const sockets = [await openSocket('user'), await openSocket('second')];
  for (const [i, { frame, roomId }] of frames.entries()) {
    const which = i % 2;
    if (sockets[which]!.readyState !== WebSocket.OPEN) sockets[which] = await openSocket(callers[which]!);
    const sent =
      roomId && frame !== null && typeof frame === 'object'
        ? { ...frame, roomId: resolveId(roomId, callers[which]!, 'frame') }
        : frame;
    if (sent !== null && typeof sent === 'object' && typeof (sent as { content?: unknown }).content === 'string') {
      sockets[which]!.sentContents.push((sent as { content: string }).content);
    }
    sockets[which]!.send(typeof sent === 'string' ? sent : JSON.stringify(sent));
    result.frames++;
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
  }
  // Every frame is answered; a loaded runtime may still be working through them. Close only once
  // the sockets have been quiet for 1.5 s, or acknowledgements would go to closed sockets.
  const giveUpAt = Date.now() + 30_000;
  do await new Promise((r) => setTimeout(r, 250));
  while (Date.now() - lastFrameAt < 1500 && Date.now() < giveUpAt);
  finished = true;
  for (const socket of sockets) socket.close();
  return result;
}

/** Orders and messages as stored, read straight from DynamoDB Local (a Scan is fine for a test). */
/** Stored messages of the fuzzing users that were never acknowledged, and not excused by a closed socket. */
export function unacknowledged(stored: { messages: Map<string, string> }, result: FuzzResult): string[] {
  return [...stored.messages]
    .filter(([id, content]) => !result.acked.has(id) && !result.unconfirmable.has(content))
    .map(([id]) => id);
}

export async function storedItems(
  target: FuzzTarget,
  userIds: readonly string[],
  /** The runtime's LOCAL_AWS_SECRET: DynamoDB Local keeps a database per access key id. */
  awsSecret: string,
): Promise<{ orders: Set<string>; messages: Map<string, string> }> {
  const { DynamoDBClient, ScanCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient(emulatorClientConfig(target.dynamoDbEndpoint, credentialsFromSecret(awsSecret)));
  const orders = new Set<string>();
  /** Message id → content. */
  const messages = new Map<string, string>();
  let startKey: Record<string, any> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: 'order-chat-local-main',
        ProjectionExpression: 'sk, id, userId, sender, content',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.sk?.S === 'ORDER' && userIds.includes(String(item.userId?.S))) orders.add(String(item.id?.S));
      if (item.sk?.S?.startsWith('MSG#') && userIds.includes(String(item.sender?.M?.id?.S))) {
        messages.set(item.sk.S.slice(4), String(item.content?.S));
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  client.destroy();
  return { orders, messages };
}
