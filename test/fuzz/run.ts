/**
 * `npm run fuzz`: ≥ 10,000 property-based HTTP requests and 1,500 frames against a runtime of its
 * own (started like `npm start -- --in-memory`). Prints the counts; exits 1 on any 5xx or any
 * order or message stored without a 201 / acknowledgement, or when under 10% of requests are
 * accepted (2xx): most requests are valid by the route table's schemas, the rest broken. FUZZ_REQUESTS, FUZZ_FRAMES and
 * FUZZ_SEED override the sizes and the seed (printed, so a failure can be replayed).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { spawnRuntime } from '../support/runtime-process.ts';
import { fuzz, storedItems, unacknowledged } from './fuzz.ts';
import { whenParentGone } from '#local/parent.ts';

// Its runtimes stop when it does (they watch their parent); it stops when npm does.
whenParentGone(() => process.exit(129));

const counts = {
  http: Number(process.env.FUZZ_REQUESTS ?? 10_000),
  frames: Number(process.env.FUZZ_FRAMES ?? 1_500),
  seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000),
};
mkdirSync('.cache', { recursive: true });
const awsSecret = randomBytes(24).toString('base64url');
const runtime = spawnRuntime(
  { POWERTOOLS_LOG_LEVEL: 'ERROR', LOCAL_AWS_SECRET: awsSecret },
  createWriteStream('.cache/fuzz-runtime.log'),
);
let failed = true;
try {
  const target = await runtime.ready;
  console.log(
    `Fuzzing ${target.httpUrl} with ${counts.http} requests and ${counts.frames} frames (seed ${counts.seed})…`,
  );
  const started = performance.now();
  const result = await fuzz(target, counts);
  const stored = await storedItems(target, result.userIds, awsSecret);
  const unanswered = [...stored.orders].filter((id) => !result.created.has(id));
  const unacked = unacknowledged(stored, result);
  console.log(
    `${result.requests} requests, ${result.frames} frames in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `${result.serverErrors.length} answers ≥ 500; ${stored.orders.size} orders stored (${unanswered.length} without a 201), ` +
      `${stored.messages.size} messages stored (${unacked.length} unacknowledged)`,
  );
  console.log(
    `answers: ${Object.entries(result.statuses)
      .map(([status, n]) => `${n} × ${status}`)
      .join(', ')}`,
  );
  for (const line of result.serverErrors.slice(0, 20)) console.log(`  ${line}`);
  if (result.serverErrors.length) console.log('  (the runtime log: .cache/fuzz-runtime.log)');
  // A fuzzer whose requests are all refused tests only the front door.
  const accepted =
    Object.entries(result.statuses).reduce((sum, [status, n]) => sum + (status.startsWith('2') ? n : 0), 0) /
    result.requests;
  if (accepted < 0.1) console.log(`only ${(accepted * 100).toFixed(1)}% of requests were accepted (want ≥ 10%)`);
  failed =
    result.serverErrors.length > 0 ||
    unanswered.length > 0 ||
    unacked.length > 0 ||
    result.requests < counts.http ||
    accepted < 0.1;
} finally {
  await runtime.stop();
}
process.exit(failed ? 1 : 0);
