// End-to-end: `npm start` stopped every way it gets stopped, leaving no process and no folder behind.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnRuntime } from '../support/runtime-process.ts';

const start = (env: Record<string, string>, options: Parameters<typeof spawnRuntime>[2] = {}) =>
  spawnRuntime({ POWERTOOLS_LOG_LEVEL: 'ERROR', ...env }, undefined, options);
const root = resolve(import.meta.dirname, '..', '..');

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

// Each test boots a runtime of its own: on a loaded machine that takes a while.
describe('stopping npm start', { timeout: 60_000 }, () => {
  it('stops every child process on SIGTERM', async () => {
    const run = start({});
    await run.ready;
    const children = descendants(run.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(2); // DynamoDB Local (java) and cognito-local
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(await settle(children)).toEqual([]);
  });

  it('stops every child process on SIGHUP (its terminal closed)', async () => {
    const run = start({});
    await run.ready;
    const children = descendants(run.child.pid!);
    run.child.kill('SIGHUP');
    expect(await run.exited).toBe(0);
    expect(await settle(children)).toEqual([]);
  });

  it('stops everything when npm itself gets SIGTERM, as from an IDE’s stop button', async () => {
    const run = start({}, { viaNpm: true });
    await run.ready;
    const tree = descendants(run.child.pid!); // sh, the runtime, its reaper, java, cognito-local
    expect(tree.length).toBeGreaterThanOrEqual(4);
    run.child.kill('SIGTERM');
    await run.exited;
    expect(await settle(tree)).toEqual([]);
  });

  it('leaves no child and no in-memory data folder behind when the runtime is killed outright', async () => {
    const run = start({});
    await run.ready;
    const children = descendants(run.child.pid!);
    const folder = readdirSync(join(root, '.cache')).find((name) => name.startsWith(`ephemeral-${run.child.pid}-`));
    expect(folder).toBeDefined();
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await settle(children)).toEqual([]);
    for (let i = 0; i < 50 && existsSync(join(root, '.cache', folder!)); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(root, '.cache', folder!))).toBe(false);
  });
});
