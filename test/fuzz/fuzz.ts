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
import { httpRoutes, splitRouteKey, wsRoutes } from '#lambdas/routes.ts';

export interface FuzzTarget {
  httpUrl: string;
  wsUrl: string;
  dynamoDbEndpoint: string;
}

export interface FuzzResult {
  /** The fuzzing users: only their orders and messages are compared with what was answered. */
  userIds: string[];
  requests: number;
  frames: number;
  serverErrors: string[];
  created: Set<string>;
  acked: Set<string>;
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
  const login = () =>
    post('/auth/login', { email, password: STRONG_PASSWORD }) as Promise<{ accessToken: string; user: { id: string } }>;
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
);
const token = fc.oneof(fc.constant('user'), fc.constant('second'), fc.constant('none'), fc.constant('garbage'));
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.oneof(fc.string(), nasty), fc.oneof(fc.jsonValue({ maxDepth: 2 }), nasty), { maxKeys: 6 }),
  fc.record({
    description: fc.oneof(fc.string(), nasty),
    specifications: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), nasty),
    quantity: fc.oneof(fc.integer(), fc.double(), nasty),
  }),
);
const rawBody = fc.oneof(
  jsonish.map((v) => JSON.stringify(v) ?? 'null'),
  fc.string(),
  fc.constant('['.repeat(5000)),
  fc.nat({ max: 3000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
);
const httpRequest = fc.record({
  route: fc.constantFrom(...Object.keys(httpRoutes)),
  param: fc.oneof(nasty, fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.uuid()),
  query: fc.oneof(
    fc.constant(''),
    fc
      .dictionary(fc.oneof(fc.string(), nasty), fc.oneof(fc.string(), nasty), { maxKeys: 4 })
      .map((q) => new URLSearchParams(q).toString()),
  ),
  body: rawBody,
  contentType: fc.constantFrom('application/json', 'text/plain', '', 'application/json; charset=utf-8'),
  caller: token,
  ifMatch: fc.oneof(fc.constant(undefined), fc.constantFrom('"1"', '*', 'W/"x"', '"-1"'), fc.string()),
  idempotencyKey: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 300 })),
});
const wsFrame = fc.oneof(
  jsonish.map((v) => JSON.stringify(v) ?? 'null'),
  fc
    .record(
      {
        action: fc.oneof(fc.constantFrom(...Object.keys(wsRoutes)), fc.string(), nasty),
        roomId: fc.oneof(nasty, fc.string()),
        content: fc.oneof(fc.string({ maxLength: 50 }), nasty),
        clientMessageId: fc.oneof(fc.string({ maxLength: 70 }), nasty),
        after: fc.oneof(nasty, fc.string()),
        summary: fc.oneof(fc.string(), nasty),
      },
      { requiredKeys: ['action'] },
    )
    .map((f) => JSON.stringify(f)),
  fc.string(),
);

export async function fuzz(
  target: FuzzTarget,
  counts: { http: number; frames: number; seed?: number },
): Promise<FuzzResult> {
  // Two customers (no admin is at hand without the bootstrap admin's password): each one's token is
  // offered on every route, their own and the other's orders and rooms, and the admin routes.
  const [user, second] = await Promise.all([signIn(target, 'user'), signIn(target, 'second')]);
  const tokens: Record<string, string | undefined> = {
    user: user.accessToken,
    second: second.accessToken,
    none: undefined,
    garbage: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  };
  const result: FuzzResult = {
    userIds: [user.user.id, second.user.id],
    requests: 0,
    frames: 0,
    serverErrors: [],
    created: new Set(),
    acked: new Set(),
  };

  const requests = fc.sample(httpRequest, { numRuns: counts.http, seed: counts.seed ?? Date.now() });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const r = requests[i]!;
      const { method, path } = splitRouteKey(r.route);
      const url = `${target.httpUrl}${path.replace(/\{\w+\}/g, r.param)}${r.query ? `?${r.query}` : ''}`;
      const headers: Record<string, string> = {};
      const bearer = tokens[r.caller];
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
      if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey.replace(/[^\x20-\x7e]/g, '');
      const hasBody = method !== 'GET' && method !== 'DELETE';
      const response = await fetch(url, { method, headers, ...(hasBody ? { body: r.body } : {}) });
      const text = await response.text();
      result.requests++;
      if (response.status >= 500)
        result.serverErrors.push(`${method} ${url.slice(0, 120)} → ${response.status} ${text.slice(0, 200)}`);
      if (r.route === 'POST /orders' && response.status === 201) result.created.add(JSON.parse(text).id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));

  // Frames: one socket per caller, all frames sent with a small pause so the rate limit is hit but not only it.
  const frames = fc.sample(wsFrame, { numRuns: counts.frames, seed: (counts.seed ?? Date.now()) + 1 });
  // The HTTP phase may have signed them out everywhere (that route needs no body to succeed).
  const openSocket = async (signedIn: typeof user) => {
    const session = await signedIn.login();
    const ticket = await fetch(`${target.httpUrl}/chat/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.accessToken}` },
    }).then((r) => r.json() as Promise<{ ticket: string }>);
    const socket = new WebSocket(`${target.wsUrl}?ticket=${encodeURIComponent(ticket.ticket)}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.on('message', (data) => {
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
  const sockets = [await openSocket(user), await openSocket(second)];
  for (const [i, frame] of frames.entries()) {
    const which = i % 2;
    if (sockets[which]!.readyState !== WebSocket.OPEN) sockets[which] = await openSocket(which ? second : user);
    sockets[which]!.send(frame);
    result.frames++;
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 1500));
  for (const socket of sockets) socket.close();
  return result;
}

/** Orders and messages as stored, read straight from DynamoDB Local (a Scan is fine for a test). */
export async function storedItems(
  target: FuzzTarget,
  userIds: readonly string[],
): Promise<{ orders: Set<string>; messages: Set<string> }> {
  const { DynamoDBClient, ScanCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint: target.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const orders = new Set<string>();
  const messages = new Set<string>();
  let startKey: Record<string, any> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: 'order-chat-local-main',
        ProjectionExpression: 'sk, id, userId, sender',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.sk?.S === 'ORDER' && userIds.includes(String(item.userId?.S))) orders.add(String(item.id?.S));
      if (item.sk?.S?.startsWith('MSG#') && userIds.includes(String(item.sender?.M?.id?.S))) {
        messages.add(item.sk.S.slice(4));
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  client.destroy();
  return { orders, messages };
}
