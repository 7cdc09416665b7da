// End-to-end: `npm start` as a process — clear failures, and no child process left behind.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnRuntime } from '../support/runtime-process.ts';

const start = (env: Record<string, string>) => spawnRuntime({ POWERTOOLS_LOG_LEVEL: 'ERROR', ...env });

const descendants = (pid: number): number[] => {
  let listing = '';
  try {
    listing = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  const direct = listing
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
  return direct.flatMap((p) => [p, ...descendants(p)]);
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const settle = async (pids: number[]) => {
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
};

describe('npm start', () => {
  it('fails with one clear line when a port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    const run = start({ PORT: String(port) });
    expect(await run.exited).toBe(1);
    blocker.close();
    const lines = run.output().stderr.trim().split('\n');
    expect(lines).toEqual([`Port ${port} (PORT) is already in use: stop what holds it or set PORT.`]);
  });

  it('fails with one clear line when Java is missing', async () => {
    // A PATH with node and nothing else.
    const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = start({ PATH: bin });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim()).toMatch(/^A Java 17\+ JDK is required for DynamoDB Local: install one .+$/);
  });

  it('stops every child process on SIGTERM', async () => {
    const run = start({});
    await run.ready;
    const children = descendants(run.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(2); // DynamoDB Local (java) and cognito-local
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(await settle(children)).toEqual([]);
  });

  it('leaves no child behind when the runtime itself is killed outright', async () => {
    const run = start({});
    await run.ready;
    const children = descendants(run.child.pid!);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await settle(children)).toEqual([]);
  });
});
