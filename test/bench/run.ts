/**
 * `npm run bench`: the speed and size targets, measured on this machine.
 *
 * 1. Start-up: `npm start` (in memory) to a healthy /health, median of 3.
 * 2. Bundles: the real `cdk synth` output — size of every function's bundle,
 *    and its cold import time on this Node (median of 5 fresh processes); then
 *    each function next to its floor (test/bench/floors.ts), both built and timed
 *    alike (median of 15 fresh processes), against issue 12's 1.3× target.
 * 3. Local HTTP latency of two hot routes (p50/p95 over 200 sequential calls).
 * 4. DynamoDB per HTTP route and WebSocket action, through the local runtime: requests
 *    (next to the fewest possible, test/bench/minimums.ts) and capacity units; writes by order size.
 * 5. The session check every signed-in request and frame pays: its reads,
 *    capacity and the size of the profile it reads, at its largest.
 * 6. Cost with the data: the same requests with 1,000 orders and with 100,000 (a room
 *    with 100 messages, then 10,000): p50/p99 of each, and their ratio.
 * 7. One user flooding a socket with 2,000 frames: another user's p99 on
 *    GET /orders/{id}, quiet and during the flood, on a runtime of its own.
 * 8. Chat fan-out: rooms of 10, 100 and 500 listening clients, 50 messages each:
 *    send to the last client's receipt (p50/p99), and deliveries lost.
 *
 * Prints a table, writes every figure to bench/results.json and BENCHMARKS.md (with the
 * machine, Node version and date), and exits 1 when a target is missed.
 */
import { randomBytes } from 'node:crypto';
import { credentialsFromSecret } from '#local/credentials.ts';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { measureAbuse, measureFlood, type AbuseKind } from '../support/flood-measure.ts';
import { listenersPerMember, measureFanout, type FanoutRow } from './fanout.ts';
import { measureFloors } from './floors.ts';
import { measureRouteCosts, type MeteredCall } from './route-costs.ts';
import { measureDataGrowth, placersNeeded, readersNeeded } from './data-growth.ts';
import { tableSeeder } from './seeder.ts';
import { measureExport } from './export.ts';
import { localTableName } from '#local/runtime.ts';
import { monthlyBill } from './money.ts';
import { BENCH_PASSWORD, request, signIn, signUp, useMailbox } from './requests.ts';
import { meterCapacity, unitsOf } from '#local/capacity-meter.ts';
import { benchmarksMarkdown, emptyResults, type BenchResults } from './report.ts';
import { onLoopback, spawnRuntime } from '../support/runtime-process.ts';
import { whenParentGone } from '#local/parent.ts';

// Its runtimes stop when it does (they watch their parent); it stops when npm does.
whenParentGone(() => process.exit(129));

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

const TARGETS = {
  startupMs: 15_000,
  bundleBytes: 1_500_000,
  coldImportMs: 250,
  /** Issue 11's budget for the per-request session check. */
  sessionCheck: { roundTrips: 1, capacityUnits: 0.5, itemBytes: 1024 },
  /** Issue 11: a flood leaves another user's p99 within this multiple of its quiet p99. */
  floodSlowdown: 3,
  /** Issue 12: p50 and p99 with 100,000 orders within this multiple of theirs with 1,000. */
  growthRatio: 1.2,
  /** Issue 12: every function within this multiple of its floor, in bytes and in import time. */
  floorRatio: 1.3,
  /** Issue 12: no message lost at any room size, and time growing no faster than the room. */
  fanout: { sizes: [10, 100, 500], messages: 50, lost: 0 },
  /** Every part of a CSV export answers within the gateway's integration timeout (10 s), with room to spare. */
  exportPartMs: 5_000,
};
const misses: string[] = [];
/** The admin every runtime the bench starts creates at start (ADMIN_EMAIL). */
const BENCH_ADMIN = { email: 'bench-admin@example.test', password: 'Adm1n!Passw0rd' };
/** A quiet runtime in a process of its own, with the bench's admin. */
/** The secret the bench's runtimes run with: its seeder writes their tables as they would. */
const BENCH_AWS_SECRET = randomBytes(24).toString('base64url');
const spawnWithAdmin = () =>
  spawnRuntime({
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    REQUEST_LOG: 'off',
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    LOCAL_AWS_SECRET: BENCH_AWS_SECRET,
  });
/** The table sizes the growth section compares (BENCH_LARGE_ORDERS shrinks it for a quick look). */
const GROWTH = {
  small: 1_000,
  large: Number(process.env.BENCH_LARGE_ORDERS ?? 100_000),
  smallRoom: 100,
  largeRoom: 10_000,
  // A p99 is the 1% slowest: of 400 samples, the 4th slowest, taken in each of 5 rounds (the median is kept).
  samples: 400,
  rounds: 5,
  deepPage: 50,
};
/** What a function's module scope reads at import, as the stack would give it. */
const IMPORT_ENV = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  USER_POOL_ID: 'eu-west-1_x',
  USER_POOL_CLIENT_ID: 'c',
  MAIN_TABLE_NAME: 't',
  CONNECTIONS_TABLE_NAME: 't',
  IDEMPOTENCY_TABLE_NAME: 't',
  WS_CALLBACK_URL: 'https://x.execute-api.eu-west-1.amazonaws.com/ws',
  CURSOR_SECRET: 'x'.repeat(40),
  // The notification dispatcher's links.
  APP_URL: 'https://app.example.test/app/',
  // Chat attachments (every function is given them).
  ATTACHMENTS_BUCKET: 'b',
  ATTACHMENT_MAX_BYTES: String(10 * 1024 * 1024),
  ATTACHMENT_RETENTION_DAYS: '30',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};
const results: BenchResults = {
  ...emptyResults(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  targets: TARGETS,
  misses,
};

async function startupOnce(): Promise<number> {
  const started = performance.now();
  const runtime = spawnRuntime();
  const url = (await runtime.ready).httpUrl.replace('localhost', '127.0.0.1');
  while ((await fetch(`${url}/health`).catch(() => undefined))?.status !== 200) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const elapsed = performance.now() - started;
  await runtime.stop();
  return elapsed;
}

async function bundles() {
  const out = mkdtempSync(join(tmpdir(), 'order-chat-bench-'));
  try {
    await run('npx', ['cdk', 'synth', '--no-notices', '-q', '-c', 'stage=dev', '-o', out], {
      cwd: root,
      maxBuffer: 64 << 20,
    });
    const template = JSON.parse(readFileSync(join(out, 'OrderChat-dev-Api.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        {
          Type: string;
          Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } };
        }
      >;
    };
    const rows = [];
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (
        resource.Type !== 'AWS::Lambda::Function' ||
        !resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME
      )
        continue;
      const bundle = join(out, `asset.${String(resource.Properties.Code!.S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
      const times = [];
      for (let i = 0; i < 5; i++) {
        const { stdout } = await run(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const t = performance.now(); await import(${JSON.stringify(bundle)}); console.log(performance.now() - t);`,
          ],
          {
            env: IMPORT_ENV,
          },
        );
        times.push(Number(stdout.trim().split('\n').pop()));
      }
      rows.push({ fn: id.replace(/[0-9A-F]{8}$/, ''), bytes: statSync(bundle).size, importMs: median(times) });
    }
    return rows.sort((a, b) => b.bytes - a.bytes);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

type Runtime = Awaited<ReturnType<(typeof import('#local/runtime.ts'))['startRuntime']>>;

/** The session check's cost, measured in this process on the runtime's DynamoDB Local. */
async function sessionCheckCost() {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const { dynamoRaw } = await import('#lambdas/shared/dynamo-client.ts');
  const calls: MeteredCall[] = [];
  meterCapacity(dynamoRaw(), (call) => calls.push(call));
  const measure = async (_name: string, action: () => Promise<unknown>) => {
    calls.length = 0;
    await action();
    const units = calls.map(unitsOf);
    return { roundTrips: calls.length, capacityUnits: units.reduce((sum, u) => sum + u.read + u.write, 0) };
  };
  return measureSessionCheck(measure);
}

/** Item size by DynamoDB's rules: attribute names and values in UTF-8, numbers ~1 byte per 2 digits. */
function itemBytes(item: Record<string, AttributeValue>): number {
  const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
  const value = (v: AttributeValue): number => {
    if (v.S !== undefined) return utf8(v.S);
    if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
    if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((sum, [k, x]) => sum + 1 + utf8(k) + value(x), 0);
    if (v.L !== undefined) return 3 + v.L.reduce((sum, x) => sum + 1 + value(x), 0);
    return 1; // BOOL, NULL
  };
  return Object.entries(item).reduce((sum, [name, v]) => sum + utf8(name) + value(v), 0);
}

/**
 * A customer (with their id), the admin, enough placers of orders, and enough readers of the room's
 * pages (admins promoted by the bench admin: a room is its customer's and the admins'), signed in
 * to the runtime at `base`. Order writes and page reads are limited per user.
 */
/** The growth section's callers, signed in now: the customer (signed up earlier, their orders seeded), an admin, placers and readers. */
async function growthCallers(base: string, customerEmail: string) {
  const customer = (await signIn(base, { email: customerEmail, password: BENCH_PASSWORD })).token;
  const admin = (await signIn(base, BENCH_ADMIN)).token;
  const placers = [];
  for (let i = 0; i < placersNeeded(GROWTH.samples, GROWTH.rounds); i++)
    placers.push((await signUp(base, 'growth-placer')).token);
  const readers = [];
  for (let i = 0; i < readersNeeded(GROWTH.samples, GROWTH.rounds); i++) {
    const reader = await signUp(base, 'growth-reader');
    // A promotion applies from the next request, with the same token.
    await request(base, 'PATCH', `/users/${reader.id}/role`, { token: admin, body: { role: 'ADMIN' } });
    readers.push(reader.token);
  }
  return { customer, admin, placers, readers };
}

/** The stored order item's size by DynamoDB's rules. */
async function storedOrderBytes(orderId: string): Promise<number> {
  const { dynamoRaw } = await import('#lambdas/shared/dynamo-client.ts');
  const { Item } = await dynamoRaw().send(
    new GetItemCommand({
      TableName: process.env.MAIN_TABLE_NAME,
      Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: 'ORDER' } },
    }),
  );
  return itemBytes(Item!);
}

/** The profile read behind every signed-in request, for the largest profile there can be. */
async function measureSessionCheck(
  measure: (name: string, action: () => Promise<unknown>) => Promise<{ roundTrips: number; capacityUnits: number }>,
) {
  const users = await import('#lambdas/users/service.ts');
  const repository = await import('#lambdas/users/repository.ts');
  const { currentCaller } = await import('#lambdas/users/session.ts');
  const { MAX_ENDED_SESSIONS, sessionKey } = await import('#lambdas/users/user.ts');
  const { dynamoRaw } = await import('#lambdas/shared/dynamo-client.ts');
  // Longest name (50 three-byte characters), the longest address (254), and the most remembered logouts.
  const local = `${'a'.repeat(50)}-${Date.now()}`;
  const email = `${local}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(254 - local.length - 1 - 128 - 6)}.test`;
  const { id } = await users.register({ name: '€'.repeat(50), email, password: 'Str0ng!Passw0rd' });
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < MAX_ENDED_SESSIONS - 1; i++) {
    await repository.addEndedSession(id, [sessionKey(`ended-${i}`), now + 3600], [], i > 0);
  }
  // A reset code sent, and the digest of one used: with the code sign-up left, more than any real profile holds.
  await repository.recordResetCodeSent(id, now, 'x'.repeat(16));
  // Two-factor on, and a new address (of the longest) waiting beside the profile, not in it.
  await repository.setTwoFactor(id, now, new Date().toISOString());
  await repository.recordEmailChange(id, { address: `new-${email}`.slice(0, 254), codeSentAt: now });
  const session = { userId: id, id: 'live-session', startedAt: now, expiresAt: now + 900 };
  const cost = await measure('session check', () => currentCaller(session));
  const { Item } = await dynamoRaw().send(
    new GetItemCommand({
      TableName: process.env.MAIN_TABLE_NAME,
      Key: { pk: { S: `USER#${id}` }, sk: { S: 'PROFILE' } },
    }),
  );
  return { ...cost, itemBytes: itemBytes(Item!) };
}

/** A new customer of the runtime at `base` with one order placed: their token and the order's (room's) id. */
/** Each limit the bench holds a user (or an address) at, while another user reads. */
const ABUSES: [AbuseKind, string][] = [
  ['joins', 'joinRoom frames from one socket'],
  ['tickets', 'WebSocket tickets from one user'],
  ['pages', 'message pages from one user'],
  ['signIns', 'wrong passwords for one address'],
  ['signUps', 'sign-ups from one address'],
];

async function customerWithOrder(
  base: string,
  label: string,
): Promise<{ token: string; order: string; email: string }> {
  const { token, email } = await signUp(base, label);
  const placed = await request(base, 'POST', '/orders', {
    body: { description: 'x', specifications: {}, quantity: 1 },
    token,
  });
  return { token, order: placed.id as string, email };
}

async function httpLatency(runtime: Runtime) {
  {
    const base = runtime.httpUrl.replace('localhost', '127.0.0.1');
    // Timed as sent and read, whatever the answer: the raw fetch.
    const post = (path: string, body: unknown, token: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    // Order writes are limited per user (60 a minute): 200 of them are spread over four writers.
    const writers = (await Promise.all(['a', 'b', 'c', 'd'].map((label) => signUp(base, `latency-${label}`)))).map(
      (writer) => writer.token,
    );
    const accessToken = writers[0]!;
    const order = await request(base, 'POST', '/orders', {
      body: { description: 'x', specifications: {}, quantity: 1 },
      token: accessToken,
    });
    const time = async (call: (i: number) => Promise<Response>) => {
      const samples = [];
      for (let i = 0; i < 200; i++) {
        const started = performance.now();
        const response = await call(i);
        await response.arrayBuffer();
        samples.push(performance.now() - started);
        if (response.status >= 300) throw new Error(`Latency run got ${response.status}`);
        // Stay under the stage throttle (the local runtime enforces it like API Gateway).
        await new Promise((r) => setTimeout(r, 5));
      }
      return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
    };
    return {
      'GET /orders/{id}': await time(() =>
        fetch(`${base}/orders/${order.id}`, { headers: { authorization: `Bearer ${accessToken}` } }),
      ),
      'POST /orders': await time((i) =>
        post('/orders', { description: 'x', specifications: {}, quantity: 1 }, writers[i % writers.length]!),
      ),
    };
  }
}

const fmt = (n: number) => n.toFixed(0).padStart(6);

console.log('\n1. Start-up (npm start, in memory, to a healthy /health)');
const startups = [await startupOnce(), await startupOnce(), await startupOnce()];
results.startupMs = startups;
console.log(
  `   runs: ${startups.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}; median ${(median(startups) / 1000).toFixed(2)} s (target < ${TARGETS.startupMs / 1000} s)`,
);
if (median(startups) > TARGETS.startupMs) misses.push('start-up');

console.log('\n2. Function bundles (cdk synth output; cold import = median of 5 fresh Node processes)');
results.bundles = await bundles();
for (const row of results.bundles) {
  const flag = row.bytes > TARGETS.bundleBytes || row.importMs > TARGETS.coldImportMs ? '  <-- over target' : '';
  console.log(
    `   ${row.fn.padEnd(32)} ${(row.bytes / 1024).toFixed(0).padStart(6)} KB  ${fmt(row.importMs)} ms${flag}`,
  );
  if (flag) misses.push(`bundle ${row.fn}`);
}
console.log(`   targets: < ${TARGETS.bundleBytes / 1000} KB, < ${TARGETS.coldImportMs} ms import`);
console.log("   against each function's floor (the same SDK clients, one call each; import = median of 15):");
results.floors = await measureFloors(15, IMPORT_ENV);
const overFloor: string[] = [];
for (const row of results.floors) {
  const size = row.bytes / Math.max(row.floorBytes, 1);
  const time = row.importMs / Math.max(row.floorImportMs, 0.1);
  const over = size > TARGETS.floorRatio || time > TARGETS.floorRatio;
  if (over) overFloor.push(row.fn);
  console.log(
    `   ${row.fn.padEnd(28)} ${(row.bytes / 1024).toFixed(0).padStart(5)} / ${(row.floorBytes / 1024).toFixed(0).padStart(4)} KB = ${size.toFixed(2)}×   ` +
      `${row.importMs.toFixed(0).padStart(4)} / ${row.floorImportMs.toFixed(0).padStart(3)} ms = ${time.toFixed(2)}×${over ? '  <-- over 1.3×' : ''}`,
  );
}
// A function that calls no AWS service has an empty handler for its floor: the ratio is then of our chain alone.
const clientless = overFloor.filter((fn) => !results.floors.find((row) => row.fn === fn)!.clients.length);
const withClients = overFloor.length - clientless.length;
if (withClients) misses.push(`${withClients} functions over ${TARGETS.floorRatio}× their floor`);
if (clientless.length) {
  misses.push(`${clientless.join(', ')} (no AWS client: the floor is an empty handler) over ${TARGETS.floorRatio}×`);
}

const { startRuntime } = await import('#local/runtime.ts');
const meteredCalls: MeteredCall[] = [];
const runtime = await startRuntime({
  port: 0,
  wsPort: 0,
  dynamoDbPort: 0,
  cognitoPort: 0,
  log: () => undefined,
  admin: { ...BENCH_ADMIN, name: 'Bench Admin' },
  // The bench signs up its users from this one address (lib/edge-limits.ts).
  edgeLimitExemptIps: ['127.0.0.1'],
  onDynamoDbCall: (call) => meteredCalls.push(call),
  // Due at once, and sent only when the bench runs the dispatcher (no schedule adds calls to another measurement).
  notifications: { delaySeconds: 0, pollSeconds: 0 },
});
useMailbox(runtime.httpUrl, runtime.mailboxUrl);
try {
  console.log('\n3. Local HTTP latency (local gateway, handlers in-process, DynamoDB Local; 200 sequential calls)');
  results.httpLatency = await httpLatency(runtime);
  for (const [route, { p50, p95 }] of Object.entries(results.httpLatency)) {
    console.log(`   ${route.padEnd(20)} p50 ${p50.toFixed(1)} ms  p95 ${p95.toFixed(1)} ms`);
  }
  console.log('\n4. DynamoDB per route and action, through the local runtime (requests / fewest possible, units)');
  const { routes, sized } = await measureRouteCosts(
    {
      httpUrl: runtime.httpUrl.replace('localhost', '127.0.0.1'),
      wsUrl: runtime.wsUrl.replace('localhost', '127.0.0.1'),
      mailboxUrl: runtime.mailboxUrl,
    },
    meteredCalls,
    BENCH_ADMIN,
    storedOrderBytes,
    () => runtime.dispatchNotifications(),
  );
  results.dynamoDb = routes;
  results.sizedWrites = sized;
  for (const row of routes) {
    const over = row.requests > row.minimum;
    console.log(
      `   ${row.operation.padEnd(42)} ${String(row.requests).padStart(2)} / ${row.minimum}  ${String(row.readUnits).padStart(4)} RU ${String(row.writeUnits).padStart(4)} WU${over ? '  <-- over the minimum' : ''}`,
    );
    if (over) misses.push(`${row.operation}: ${row.requests} requests, ${row.minimum} possible`);
  }
  console.log('   writes by order size (write units: place, update, change status; target 2·S + 10, ≤ 12 at 1 KB):');
  for (const row of sized) {
    const over = Math.max(row.place, row.update, row.changeStatus) > row.target;
    console.log(
      `   ${String(row.itemBytes).padStart(6)} bytes (S = ${row.sizeKb}): ${row.place}, ${row.update}, ${row.changeStatus} (target ≤ ${row.target})${over ? '  <-- over' : ''}`,
    );
    if (over) misses.push(`writes of a ${row.sizeKb} KB order`);
  }
  const bill = monthlyBill(routes);
  results.bill = { lines: bill.lines, total: bill.total };
  console.log(
    `   the month of docs/performance.md's workload, at list prices: $${bill.total.toFixed(2)} (BENCHMARKS.md itemizes it)`,
  );
  const sessionCheck = await sessionCheckCost();
  results.sessionCheck = sessionCheck;
  const budget = TARGETS.sessionCheck;
  console.log('\n5. The session check on every signed-in request and frame (largest possible profile)');
  console.log(
    `   ${sessionCheck.roundTrips} read, ${sessionCheck.capacityUnits} capacity units, profile ${sessionCheck.itemBytes} bytes` +
      ` (budget: ${budget.roundTrips} eventually consistent read, ${budget.capacityUnits} units, ${budget.itemBytes} bytes)`,
  );
  if (
    sessionCheck.roundTrips > budget.roundTrips ||
    sessionCheck.capacityUnits > budget.capacityUnits ||
    sessionCheck.itemBytes > budget.itemBytes
  )
    misses.push('session check');
} finally {
  await runtime.stop();
}

console.log(
  `\n6. Cost with the data: ${GROWTH.small.toLocaleString('en')} orders beside ${GROWTH.large.toLocaleString('en')} (the room: ${GROWTH.smallRoom} messages beside ${GROWTH.largeRoom.toLocaleString('en')}), each request to both in turn`,
);
{
  const growthStarted = performance.now();
  // Two runtimes in processes of their own, each with its DynamoDB Local.
  const [smallRuntime, largeRuntime] = [spawnWithAdmin(), spawnWithAdmin()];
  try {
    const target = async (runtime: typeof smallRuntime) => {
      const info = onLoopback(await runtime.ready);
      useMailbox(info.httpUrl, info.mailboxUrl);
      const customer = await signUp(info.httpUrl, 'growth-customer');
      return {
        httpUrl: info.httpUrl,
        seeder: await tableSeeder(
          info.dynamoDbEndpoint,
          localTableName('main'),
          credentialsFromSecret(BENCH_AWS_SECRET),
        ),
        customerId: customer.id,
        callers: () => growthCallers(info.httpUrl, customer.email),
      };
    };
    results.growth = await measureDataGrowth(await target(smallRuntime), await target(largeRuntime), GROWTH);
    for (const row of results.growth) {
      const over = Math.max(row.ratioP50, row.ratioP99) > TARGETS.growthRatio;
      console.log(
        `   ${row.operation.padEnd(48)} p50 ${row.small.p50.toFixed(1)} / ${row.large.p50.toFixed(1)} ms (${row.ratioP50.toFixed(2)}×), p99 ${row.small.p99.toFixed(1)} / ${row.large.p99.toFixed(1)} ms (${row.ratioP99.toFixed(2)}×)${over ? '  <-- over' : ''}`,
      );
      if (over) misses.push(`${row.operation} grows with the data`);
    }
    console.log(`   (${((performance.now() - growthStarted) / 1000).toFixed(0)} s, most of it filling the tables)`);
    // An admin's CSV of 10,000 orders from the large table: every part within the gateway's timeout.
    const large = onLoopback(await largeRuntime.ready);
    const exporter = await signUp(large.httpUrl, 'growth-exporter');
    const seeder = await tableSeeder(
      large.dynamoDbEndpoint,
      localTableName('main'),
      credentialsFromSecret(BENCH_AWS_SECRET),
    );
    results.export = await measureExport(
      large.httpUrl,
      (await signIn(large.httpUrl, BENCH_ADMIN)).token,
      async (count, ownerId) => {
        await seeder.orders(count, [ownerId]);
      },
      exporter.id,
    );
    const exported = results.export;
    console.log(
      `   CSV export of ${exported.orders.toLocaleString('en')} orders: ${exported.rows.toLocaleString('en')} rows in ${exported.parts} parts, ${(exported.totalMs / 1000).toFixed(1)} s in all, the slowest part ${exported.slowestPartMs.toFixed(0)} ms, the largest ${(exported.largestPartBytes / 1000).toFixed(0)} KB (target: every row, each part < ${TARGETS.exportPartMs / 1000} s)`,
    );
    if (exported.rows !== exported.orders || exported.slowestPartMs > TARGETS.exportPartMs) misses.push('CSV export');
  } finally {
    await Promise.all([smallRuntime.stop(), largeRuntime.stop()]);
  }
}

console.log('\n7. One user (or address) at each limit vs another user reading an order');
{
  // A runtime in its own process: in this one, the reader would share the runtime's thread.
  const flooded = spawnRuntime({ POWERTOOLS_LOG_LEVEL: 'ERROR', REQUEST_LOG: 'off' });
  try {
    const { httpUrl: base, wsUrl, mailboxUrl } = onLoopback(await flooded.ready);
    useMailbox(base, mailboxUrl);
    const report = (what: string, quietP99: number, abusedP99: number) => {
      const ratio = abusedP99 / quietP99;
      console.log(
        `   ${what.padEnd(44)} reader p99 quiet ${quietP99.toFixed(1)} ms, meanwhile ${abusedP99.toFixed(1)} ms: ${ratio.toFixed(1)}× (target ≤ ${TARGETS.floodSlowdown}×)`,
      );
      if (ratio > TARGETS.floodSlowdown) misses.push(`reader slowed by ${what}`);
      return ratio;
    };
    const [flooder, reader] = [await customerWithOrder(base, 'flooder'), await customerWithOrder(base, 'reader')];
    const { quietP99, floodP99 } = await measureFlood({
      httpUrl: base,
      wsUrl,
      flooderToken: flooder.token,
      floodRoom: flooder.order,
      readerToken: reader.token,
      readerOrder: reader.order,
    });
    const ratio = report('2,000 sendMessage frames from one socket', quietP99, floodP99);
    results.flood = { quietP99Ms: quietP99, floodP99Ms: floodP99, ratio };
    results.abuse = [];
    for (const [kind, what] of ABUSES) {
      // A fresh abuser each time: the limits are per user.
      const abuser = await customerWithOrder(base, `abuser-${kind}`);
      const measured = await measureAbuse(
        {
          httpUrl: base,
          wsUrl,
          abuserToken: abuser.token,
          abuserRoom: abuser.order,
          abuserEmail: abuser.email,
          readerToken: reader.token,
          readerOrder: reader.order,
        },
        kind,
      );
      const abusedRatio = report(what, measured.quietP99, measured.abusedP99);
      results.abuse.push({
        kind,
        what,
        quietP99Ms: measured.quietP99,
        abusedP99Ms: measured.abusedP99,
        ratio: abusedRatio,
        answers: measured.answers,
      });
    }
  } finally {
    await flooded.stop();
  }
}

console.log("\n8. Chat fan-out through the local WebSocket gateway (send → the last listener's receipt)");
{
  const fanned = spawnWithAdmin();
  try {
    const { httpUrl: base, wsUrl, mailboxUrl } = onLoopback(await fanned.ready);
    useMailbox(base, mailboxUrl);
    const { token: ownerToken, order: roomId } = await customerWithOrder(base, 'fanout-owner');
    const adminToken = (await signIn(base, BENCH_ADMIN)).token;
    const { sizes, messages } = TARGETS.fanout;
    // The listeners: admins (a room is its customer's and the admins'), each with as many
    // connections as a user may hold.
    const listenerTokens = [];
    for (let i = 0; i < listenersPerMember(Math.max(...sizes)); i++) {
      const member = await signUp(base, 'fanout-listener');
      await request(base, 'PATCH', `/users/${member.id}/role`, { token: adminToken, body: { role: 'ADMIN' } });
      listenerTokens.push(member.token);
    }
    const rows = await measureFanout(
      {
        httpUrl: base,
        wsUrl,
        roomId,
        listenerTokens,
        senderTokens: [ownerToken, adminToken],
      },
      sizes,
      messages,
    );
    results.fanout = rows as FanoutRow[];
    for (const row of rows) {
      console.log(
        `   ${String(row.listeners).padStart(4)} listeners: p50 ${row.p50Ms.toFixed(1)} ms, p99 ${row.p99Ms.toFixed(1)} ms over ${row.messages} messages; ${row.lost} deliveries lost`,
      );
      if (row.lost > TARGETS.fanout.lost) misses.push(`fan-out to ${row.listeners} lost ${row.lost}`);
    }
    const [smallest, largest] = [rows[0]!, rows.at(-1)!];
    const growth = largest.p50Ms / smallest.p50Ms;
    const clients = largest.listeners / smallest.listeners;
    console.log(`   ${clients}× the listeners took ${growth.toFixed(1)}× the time (target: no more than ${clients}×)`);
    if (growth > clients) misses.push('fan-out growth');
  } finally {
    await fanned.stop();
  }
}

mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(root, 'BENCHMARKS.md'), benchmarksMarkdown(results));
console.log('\nWrote bench/results.json and BENCHMARKS.md.');

if (misses.length) {
  console.error(`\nTargets missed: ${misses.join(', ')}`);
  process.exit(1);
}
console.log('\nAll targets met.');
process.exit(0);
