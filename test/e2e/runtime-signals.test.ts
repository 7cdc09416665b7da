// End-to-end: `npm start` stopped every way it gets stopped, leaving no process and no folder behind.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
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

  it.each(['SIGINT', 'SIGHUP'] as const)('stops everything when npm alone gets %s', async (signal) => {
    // npm passes SIGINT on (the script runs with exec: no shell in between that would keep it);
    // SIGHUP kills npm outright, and the runtime notices its parent is gone.
    const run = start({}, { viaNpm: true });
    await run.ready;
    const tree = descendants(run.child.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(3); // the runtime, its reaper, java, cognito-local
    run.child.kill(signal);
    await run.exited;
    expect(await settle(tree)).toEqual([]);
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

// The other scripts that start a process tree, through npm as a person or an IDE runs them.
describe('stopping the other long-running scripts through npm', { timeout: 60_000 }, () => {
  const treeOf = async (pid: number, atLeast: number) => {
    for (let i = 0; i < 300; i++) {
      const tree = descendants(pid);
      if (tree.length >= atLeast) return tree;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`npm (${pid}) never had ${atLeast} descendants`);
  };

  it.each([
    // bench and fuzz boot runtimes of their own first: node, the runtime, its reaper, java, cognito-local.
    { script: 'bench', signal: 'SIGINT', atLeast: 4 },
    { script: 'fuzz', signal: 'SIGINT', atLeast: 4 },
    // db:view: node and dynamodb-admin's server.
    { script: 'db:view', signal: 'SIGINT', atLeast: 2 },
    { script: 'db:view', signal: 'SIGHUP', atLeast: 2 },
  ] as const)(
    'npm run $script stops with everything it started when npm alone gets $signal',
    async ({ script, signal, atLeast }) => {
      const npm = spawn('npm', ['run', script, '--silent'], {
        cwd: root,
        stdio: 'ignore',
        env: {
          ...process.env,
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          FUZZ_REQUESTS: '100000',
          DB_VIEW_PORT: '0',
          DYNAMODB_PORT: '1',
          LOCAL_AWS_SECRET: randomBytes(24).toString('base64url'),
        },
      });
      const exited = once(npm, 'exit');
      const tree = await treeOf(npm.pid!, atLeast);
      npm.kill(signal);
      await exited;
      expect(await settle(tree)).toEqual([]);
    },
  );
});
