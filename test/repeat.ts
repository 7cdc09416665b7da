/**
 * `npm run test:repeat [-- <runs>]`: runs the end-to-end (browser included) and client projects
 * again and again (20 times unless told), stopping at the first failure. A suite that passes only
 * most of the time blocks every landing by chance; this is how to tell before CI does.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 20);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('Usage: npm run test:repeat -- [runs]   (a whole number, 20 unless given)');
  process.exit(2);
}

for (let run = 1; run <= runs; run++) {
  const started = Date.now();
  const result = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', '--project', 'client'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const report = JSON.parse(readFileSync(resolve(root, '.cache', 'vitest-results.json'), 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
  };
  console.log(`run ${run}/${runs}: ${report.numPassedTests} passed, ${report.numFailedTests} failed in ${seconds} s`);
  if (result.status !== 0) {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    console.error(`run ${run} of ${runs} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
console.log(`${runs} runs in a row passed`);
