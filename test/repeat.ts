/**
 * `npm run test:repeat [-- <runs>]`: runs the end-to-end (browser included) and client projects
 * again and again (20 times unless told), stopping at the first failure. A suite that passes only
 * most of the time blocks every landing by chance; this is how to tell before CI does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 20);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('Usage: npm run test:repeat -- [runs]   (a whole number, 20 unless given)');
  process.exit(2);
}

const reportPath = resolve(root, '.cache', 'vitest-results.json');
for (let run = 1; run <= runs; run++) {
  // A run that dies before vitest writes its report must not be read as the previous run's counts.
  rmSync(reportPath, { force: true });
  const started = Date.now();
  const result = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', '--project', 'client'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const report = existsSync(reportPath)
    ? (JSON.parse(readFileSync(reportPath, 'utf8')) as { numPassedTests: number; numFailedTests: number })
    : undefined;
  console.log(
    report
      ? `run ${run}/${runs}: ${report.numPassedTests} passed, ${report.numFailedTests} failed in ${seconds} s`
      : `run ${run}/${runs}: vitest wrote no report (it died) after ${seconds} s`,
  );
  if (result.status !== 0 || !report) {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    console.error(`run ${run} of ${runs} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
console.log(`${runs} runs in a row passed`);
