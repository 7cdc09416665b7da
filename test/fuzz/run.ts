/**
 * `npm run fuzz`: ≥ 10,000 property-based HTTP requests and 1,500 frames against a runtime of its
 * own (started like `npm start -- --in-memory`). Prints the counts; exits 1 on any 5xx or any
 * order or message stored without a 201 / acknowledgement. FUZZ_REQUESTS, FUZZ_FRAMES and
 * FUZZ_SEED override the sizes and the seed (printed, so a failure can be replayed).
 */
import { spawnRuntime } from '../support/runtime-process.ts';
import { fuzz, storedItems } from './fuzz.ts';

const counts = {
  http: Number(process.env.FUZZ_REQUESTS ?? 10_000),
  frames: Number(process.env.FUZZ_FRAMES ?? 1_500),
  seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000),
};
const runtime = spawnRuntime({ POWERTOOLS_LOG_LEVEL: 'ERROR' });
let failed = true;
try {
  const target = await runtime.ready;
  console.log(
    `Fuzzing ${target.httpUrl} with ${counts.http} requests and ${counts.frames} frames (seed ${counts.seed})…`,
  );
  const started = performance.now();
  const result = await fuzz(target, counts);
  const stored = await storedItems(target, result.userIds);
  const unanswered = [...stored.orders].filter((id) => !result.created.has(id));
  const unacked = [...stored.messages].filter((id) => !result.acked.has(id));
  console.log(
    `${result.requests} requests, ${result.frames} frames in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `${result.serverErrors.length} answers ≥ 500; ${stored.orders.size} orders stored (${unanswered.length} without a 201), ` +
      `${stored.messages.size} messages stored (${unacked.length} unacknowledged)`,
  );
  for (const line of result.serverErrors.slice(0, 20)) console.log(`  ${line}`);
  failed =
    result.serverErrors.length > 0 || unanswered.length > 0 || unacked.length > 0 || result.requests < counts.http;
} finally {
  await runtime.stop();
}
process.exit(failed ? 1 : 0);
