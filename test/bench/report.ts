/** What `npm run bench` measured, as bench/results.json holds it and BENCHMARKS.md shows it. */
import type { FanoutRow } from './fanout.ts';
import type { FloorRow } from './floors.ts';
import type { RouteCost, SizedWrite } from './route-costs.ts';
import type { GrowthRow } from './data-growth.ts';
import type { ExportMeasurement } from './export.ts';
import { PRICES, WORKLOAD, type BillLine } from './money.ts';

export interface BenchResults {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number };
  node: string;
  targets: unknown;
  startupMs: number[];
  bundles: { fn: string; bytes: number; importMs: number }[];
  floors: FloorRow[];
  httpLatency: Record<string, { p50: number; p95: number }>;
  dynamoDb: RouteCost[];
  sizedWrites: SizedWrite[];
  growth: GrowthRow[];
  bill: { lines: BillLine[]; total: number } | undefined;
  sessionCheck: { roundTrips: number; capacityUnits: number; itemBytes: number } | undefined;
  flood: { quietP99Ms: number; floodP99Ms: number; ratio: number } | undefined;
  /** Another user's p99 while one user (or one address) is held at each limit. */
  abuse?: {
    kind: string;
    what: string;
    quietP99Ms: number;
    abusedP99Ms: number;
    ratio: number;
    answers: Record<string, number>;
  }[];
  fanout: FanoutRow[];
  /** An admin's CSV of 10,000 orders from the large runtime, part after part. */
  export?: ExportMeasurement;
  misses: string[];
}

/** Results with nothing measured yet. */
export const emptyResults = (): BenchResults => ({
  date: new Date().toISOString(),
  machine: { cpu: 'unknown', cores: 0, memoryGiB: 0 },
  node: process.version,
  targets: {},
  startupMs: [],
  bundles: [],
  floors: [],
  httpLatency: {},
  dynamoDb: [],
  sizedWrites: [],
  growth: [],
  bill: undefined,
  sessionCheck: undefined,
  flood: undefined,
  fanout: [],
  misses: [],
});

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export function benchmarksMarkdown(results: BenchResults): string {
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${results.date.slice(0, 10)} — ${results.machine.cores} × ${results.machine.cpu}, ` +
      `${results.machine.memoryGiB} GiB, Node ${results.node}. The same figures, machine-readable: \`bench/results.json\`.`,
    '',
    'Reproduce: `npm ci && npm run bench` (about seven minutes; DynamoDB Local, the Cognito emulator and the local',
    'API Gateway run on this machine, so absolute latencies are this machine’s, not AWS’s — compare runs on one machine).',
    '',
    `Targets missed: ${results.misses.length ? results.misses.join(', ') : 'none'}.`,
    '',
    '## Start-up',
    '',
    `\`npm start\` (in memory) to a healthy \`/health\`: ${results.startupMs.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}; ` +
      `median ${(median(results.startupMs) / 1000).toFixed(2)} s.`,
    '',
    '## Function bundles',
    '',
    'As `cdk synth` builds them (lib/bundles.ts); cold import = median of 5 fresh Node processes.',
    '',
    '| function | bundle | cold import |',
    '| --- | --- | --- |',
    ...results.bundles.map((row) => `| ${row.fn} | ${kb(row.bytes)} | ${ms(row.importMs)} |`),
    '',
    'Each function against its floor: a handler importing the same AWS SDK clients and making one call with each,',
    'built alike; import time is the median of 15 fresh processes each, bundle and floor in turns, measured around the',
    "import alone. Target: ≤ 1.3×. Every HTTP function reads CloudFront's origin secret, so Secrets Manager is in every",
    'HTTP floor; a function that serves a document (docs: the API contract) has a floor that imports and returns the',
    'same document, so its ratio weighs the code around the contract, not the contract.',
    '',
    '| function | SDK clients | bundle / floor | import / floor |',
    '| --- | --- | --- | --- |',
    ...results.floors.map(
      (row) =>
        `| ${row.fn} | ${row.clients.map((c) => c.replace('@aws-sdk/client-', '')).join(', ') || 'none'} | ` +
        `${kb(row.bytes)} / ${kb(row.floorBytes)} = ${(row.bytes / Math.max(row.floorBytes, 1)).toFixed(2)}× | ` +
        `${ms(row.importMs)} / ${ms(row.floorImportMs)} = ${(row.importMs / Math.max(row.floorImportMs, 0.1)).toFixed(2)}× |`,
    ),
    '',
    '## DynamoDB per route and action',
    '',
    'Every HTTP route and WebSocket action that touches DynamoDB, through the local runtime: real requests and frames,',
    "each function's DynamoDB calls metered with `ReturnConsumedCapacity` (DynamoDB Local reports it by AWS's rules,",
    'except transactions: it reports 4 write units for a one-item transaction of a 100-byte item, where AWS documents',
    '2). Reads in read units (an eventually consistent read of up to 4 KB: 0.5), writes in write units (per KB, each',
    'index entry counted). Fewest possible: the requests each needs, and why (`test/bench/minimums.ts`).',
    '',
    '| route or action | requests | fewest possible, and why | read units | write units |',
    '| --- | --- | --- | --- | --- |',
    ...results.dynamoDb.map(
      (row) =>
        `| ${row.operation}${row.requests > row.minimum ? ' **(over)**' : ''} | ${row.requests} (${row.calls.join(', ')}) | ` +
        `${row.minimum}: ${row.why} | ${row.readUnits} | ${row.writeUnits} |`,
    ),
    '',
    'Writes by the size of the order item (DynamoDB item size, KB rounded up: S), every write of the request counted',
    '(the per-user limit, the history, each list index). Target: 2·S + 10 write units (two schedule the e-mail for whoever is away: its item and its index entry; two are the entry in the lookup index of orders by assignee, which a status change moves, status leading its sort key), and at most 12 for an order of 1 KB.',
    '',
    '| order item | place | update (quantity) | change status | target |',
    '| --- | --- | --- | --- | --- |',
    ...results.sizedWrites.map(
      (row) =>
        `| ${row.itemBytes} bytes (S = ${row.sizeKb}) | ${row.place} | ${row.update} | ${row.changeStatus} | ≤ ${row.target} |`,
    ),
    '',
    ...(results.sessionCheck
      ? [
          `The session check on every signed-in request and frame: ${results.sessionCheck.roundTrips} read, ` +
            `${results.sessionCheck.capacityUnits} capacity units, profile ${results.sessionCheck.itemBytes} bytes at its largest.`,
          '',
        ]
      : []),
    '## Cost with the data',
    '',
    'Two local runtimes side by side, one holding 1,000 orders (the measured room: 100 messages), the other 100,000',
    '(the room: 10,000), and the same requests sent to each in turn, each runtime first every other time, so that',
    'the machine’s drift falls on both alike: 5 rounds of 400 of each. The p50 is of all 2,000; the p99 is taken per',
    'round (its 4th slowest) and the median of the 5 rounds kept, with the ratio the median of the rounds’ ratios, so',
    'that one burst of pauses (a GC of a DynamoDB Local JVM) does not decide it. Target: the large p50 and p99 within',
    '1.2× the small ones. Every list is a Query of one index partition, newest first, and a deep page starts at its',
    'cursor.',
    '',
    '| operation | p50 1k → 100k | p99 1k → 100k |',
    '| --- | --- | --- |',
    ...results.growth.map(
      (row) =>
        `| ${row.operation} | ${ms(row.small.p50)} → ${ms(row.large.p50)} (${row.ratioP50.toFixed(2)}×) | ` +
        `${ms(row.small.p99)} → ${ms(row.large.p99)} (${row.ratioP99.toFixed(2)}×) |`,
    ),
    '',
    ...(results.export
      ? [
          `**CSV export** from the large runtime: ${results.export.orders.toLocaleString('en')} orders of one customer, ` +
            `${results.export.rows.toLocaleString('en')} rows in ${results.export.parts} parts (each at most 1,000 orders, ` +
            `linked by \`Link: rel="next"\`), ${(results.export.totalMs / 1000).toFixed(1)} s in all; the slowest part ` +
            `${ms(results.export.slowestPartMs)}, the largest ${(results.export.largestPartBytes / 1000).toFixed(0)} KB ` +
            '(target: every row, each part under 5 s: the gateway gives a function 10).',
          '',
        ]
      : []),
    ...(results.bill ? moneySection(results.bill) : []),
    '## Local HTTP latency',
    '',
    '| route | p50 | p95 |',
    '| --- | --- | --- |',
    ...Object.entries(results.httpLatency).map(([route, { p50, p95 }]) => `| \`${route}\` | ${ms(p50)} | ${ms(p95)} |`),
    '',
    '## One user at each limit',
    '',
    results.flood
      ? `Another user's \`GET /orders/{id}\` p99: ${ms(results.flood.quietP99Ms)} quiet, ${ms(results.flood.floodP99Ms)} ` +
        `during 2,000 frames from one socket: ${results.flood.ratio.toFixed(1)}× (target ≤ 3×).`
      : 'Not measured.',
    '',
    ...(results.abuse?.length
      ? [
          'The same reader while one user (or one client address) sends one kind of request as fast as it is',
          'answered, from a process of its own, four requests in flight (joinRoom: 50 frames every 50 ms):',
          '',
          '| held at its limit | reader p99 quiet | meanwhile | ratio (target ≤ 3×) | how the abuser was answered |',
          '| --- | --- | --- | --- | --- |',
          ...results.abuse.map(
            (row) =>
              `| ${row.what} | ${ms(row.quietP99Ms)} | ${ms(row.abusedP99Ms)} | ${row.ratio.toFixed(1)}× | ` +
              `${Object.entries(row.answers)
                .map(([status, n]) => `${n.toLocaleString('en')} × ${status}`)
                .join(', ')} |`,
          ),
          '',
        ]
      : []),
    '## Chat fan-out',
    '',
    'One room, its listeners all connected through the local WebSocket gateway; time from a send to the last',
    "listener's receipt.",
    '',
    '| listeners | messages | p50 | p99 | deliveries lost |',
    '| --- | --- | --- | --- | --- |',
    ...results.fanout.map(
      (row) => `| ${row.listeners} | ${row.messages} | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} | ${row.lost} |`,
    ),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** The month's bill, with every assumption it rests on. */
export function moneySection(bill: { lines: BillLine[]; total: number }): string[] {
  const usd = (value: number) => `$${value < 10 ? value.toFixed(2) : value.toFixed(0)}`;
  return [
    '## Money',
    '',
    `A month of ${WORKLOAD.users.toLocaleString('en')} users, ${WORKLOAD.orders.toLocaleString('en')} orders and ` +
      `${WORKLOAD.messages.toLocaleString('en')} chat messages, at list prices in ${PRICES.region}: **${usd(bill.total)}**.`,
    '',
    '| service | what | cost |',
    '| --- | --- | --- |',
    ...bill.lines.map((line) => `| ${line.service} | ${line.item} | ${usd(line.cost)} |`),
    '',
    'How: each operation above, times how often the workload does it, at its measured DynamoDB units (transactions',
    "at AWS's documented 2 write units per KB, half what DynamoDB Local reports) and its measured time through the",
    "local runtime as each of its functions' billed duration (DynamoDB Local is slower than DynamoDB: an overestimate).",
    'The workload, in `test/bench/money.ts`: each user signs in ' +
      `${WORKLOAD.sessionsPerUser} times a month for ${WORKLOAD.minutesPerSession} minutes with the chat open, ` +
      `joining ${WORKLOAD.roomsPerSession} rooms (and resuming them once); each order is placed, edited once, moved on ` +
      `twice (once by closing its room), viewed ${WORKLOAD.viewsPerOrder} times, its history read ` +
      `${WORKLOAD.historyReadsPerOrder} times, listed once by an admin; each message reaches ` +
      `${WORKLOAD.otherListenersPerMessage} connection besides its sender's and is marked read, with ` +
      `${WORKLOAD.typingNoticesPerMessage} typing notices; every join and leave tells both members who is there; ` +
      `each order brings ${WORKLOAD.emailsPerOrder} notification e-mails (its new order to the admins, two answers ` +
      `to a customer who was away) and one in twenty is cancelled; the dispatcher runs every minute all month ` +
      `(${WORKLOAD.dispatcherRunsPerMonth.toLocaleString('en')} runs, each one Query); answers average ${WORKLOAD.bytesPerAnswer} bytes, ` +
      `frames ${WORKLOAD.bytesPerFrame}; ${WORKLOAD.logBytesPerInvocation} bytes of logs per invocation; X-Ray records ` +
      `${WORKLOAD.tracedShare * 100}% of invocations. Free tiers that expire are left out; Cognito's first 10,000 ` +
      'monthly active users are free for good. Prices (list, on-demand): Lambda $0.20 per million requests and ' +
      '$0.0000133334 per GB-s (arm64); DynamoDB $0.625 per million write units, $0.125 per million read units, $0.25 per ' +
      'GB-month; HTTP API $1.00 per million; WebSocket $1.00 per million messages and $0.25 per million connection ' +
      'minutes; CloudFront $1.00 per million HTTPS requests and $0.085 per GB; WAF $5 per WebACL, $1 per rule, $0.60 per ' +
      'million requests; CloudWatch Logs $0.50 per GB, $0.10 per alarm; X-Ray $5 per million traces; Secrets Manager ' +
      '$0.40 per secret; KMS $1 per key; SES $0.10 per 1,000 e-mails (EventBridge schedules cost nothing). Taken ' +
      "from summaries of AWS's pricing pages in 2026: check them there.",
    '',
    `Files: each order sends ${WORKLOAD.filesPerOrder} files of ${(WORKLOAD.bytesPerFile / 1e6).toFixed(1)} MB on average, ` +
      `each opened ${WORKLOAD.opensPerFile} times (a presigned GET straight from the bucket); uploads into S3 cost no ` +
      'transfer, and S3 events on the default event bus cost nothing. S3 prices: $0.023 per GB-month (Standard), ' +
      '$0.005 per 1,000 writes (each upload, and its copy out of the uploads when sent), $0.0004 per 1,000 reads, ' +
      "$0.09 per GB out to the internet. Storage grows with the stage's retention: prod keeps files 730 days, so at " +
      `steady state it holds 24 months of them, ${((24 * WORKLOAD.orders * WORKLOAD.filesPerOrder * WORKLOAD.bytesPerFile) / 1e12).toFixed(1)} TB, ` +
      `$${Math.round(((24 * WORKLOAD.orders * WORKLOAD.filesPerOrder * WORKLOAD.bytesPerFile) / 1e9) * PRICES.s3PerGbMonth)} a month.`,
    '',
  ];
}
