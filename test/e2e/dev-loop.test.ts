// End-to-end: the development loop. An edit under lambdas/ takes effect on the next request, a broken one fails that
// request (with the compile error in the log) instead of the runtime. Runs on a copy of the project,
// so the edits touch nothing here.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnRuntime, type RuntimeInfo, type RuntimeProcess } from '../support/runtime-process.ts';

const root = resolve(import.meta.dirname, '..', '..');
const copy = mkdtempSync(join(tmpdir(), 'order-chat-reload-'));
const handlerFile = join(copy, 'lambdas', 'handlers', 'http', 'health.ts');
let runtime: RuntimeProcess;
let info: RuntimeInfo;

beforeAll(async () => {
  for (const part of ['lambdas', 'local', 'lib', 'web', 'client', 'package.json', 'tsconfig.json', 'cdk.json']) {
    cpSync(join(root, part), join(copy, part), { recursive: true });
  }
  for (const shared of ['node_modules', '.cache']) symlinkSync(join(root, shared), join(copy, shared));
  runtime = spawnRuntime({ POWERTOOLS_LOG_LEVEL: 'INFO' }, undefined, { root: copy });
  info = await runtime.ready;
}, 60_000);
afterAll(async () => {
  await runtime?.stop();
  rmSync(copy, { recursive: true, force: true });
});

const health = async () => {
  const response = await fetch(`${info.httpUrl.replace('localhost', '127.0.0.1')}/health`);
  return { status: response.status, body: await response.text() };
};
/** Polls until `check` holds, for at most a second after the save. */
const within1s = async (check: (answer: { status: number; body: string }) => boolean) => {
  const deadline = Date.now() + 1000;
  let answer = await health();
  while (!check(answer) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    answer = await health();
  }
  return answer;
};

describe('hot reload', () => {
  it('serves an edited handler within a second of the save, and survives a broken one', async () => {
    const original = readFileSync(handlerFile, 'utf8');
    expect((await health()).body).not.toContain('2000-01-01');

    writeFileSync(handlerFile, original.replace('new Date().toISOString()', "'2000-01-01T00:00:00.000Z'"));
    const edited = await within1s((a) => a.body.includes('2000-01-01'));
    expect(edited).toEqual({ status: 200, body: expect.stringContaining('"time":"2000-01-01T00:00:00.000Z"') });

    writeFileSync(handlerFile, `${original}\nexport const broken = ;\n`);
    expect((await within1s((a) => a.status === 500)).status).toBe(500);
    expect(runtime.output().stdout + runtime.output().stderr).toMatch(/health\.ts:\d+:\d+: ERROR: Unexpected ";"/);

    writeFileSync(handlerFile, original);
    const fixed = await within1s((a) => a.status === 200);
    expect(fixed.status).toBe(200);
    expect(fixed.body).not.toContain('2000-01-01');
  });
});

describe('the web app', () => {
  it('is rebuilt on the next page load after an edit, and a broken edit keeps the last good build', async () => {
    const appFile = join(copy, 'web', 'src', 'format.ts');
    const base = info.httpUrl.replace('localhost', '127.0.0.1');
    const script = async () => {
      const page = await (await fetch(`${base}/app/`)).text();
      const name = /src="([^"]+)"/.exec(page)![1];
      return (await fetch(`${base}/app/${name}`)).text();
    };
    const original = readFileSync(appFile, 'utf8');
    expect(await script()).not.toContain('Edited while running');
    writeFileSync(appFile, original.replace('Something went wrong. Please try again.', 'Edited while running'));
    expect(await script()).toContain('Edited while running');
    writeFileSync(appFile, `${original}\nexport const broken = ;\n`);
    expect(await script()).toContain('Edited while running');
    expect(runtime.output().stdout + runtime.output().stderr).toMatch(/The web app does not build/);
    writeFileSync(appFile, original);
    expect(await script()).not.toContain('Edited while running');
  });
});

describe('request log', () => {
  const lines = () =>
    runtime
      .output()
      .stdout.split('\n')
      .filter((line) => line.startsWith('{"time"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('has one line per request and per upgrade, with the function that ran and why a refusal was one', async () => {
    await health();
    await fetch(`${info.httpUrl.replace('localhost', '127.0.0.1')}/orders`);
    const ws = info.wsUrl.replace('localhost', '127.0.0.1');
    const refusedWith = (url: string) =>
      new Promise<number>((resolveStatus) => {
        const socket = new WebSocket(url);
        socket.once('unexpected-response', (_req, res) => resolveStatus(res.statusCode ?? 0));
        socket.once('error', () => undefined);
      });
    expect(await refusedWith(ws)).toBe(401);
    expect(await refusedWith(`${ws}?ticket=made-up`)).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    const logged = lines();
    expect(logged).toContainEqual(
      expect.objectContaining({ method: 'GET', target: '/health', status: 200, fn: 'http/health' }),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        target: '/orders',
        status: 401,
        reason: expect.stringMatching(/JWT authorizer/),
      }),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({
        method: 'WS',
        target: '$connect',
        status: 401,
        reason: expect.stringMatching(/missing .*ticket/),
      }),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({
        target: '$connect',
        status: 401,
        fn: 'ws/authorizer',
        reason: expect.stringMatching(/refused/),
      }),
    );
  });

  it('gives each function’s own log lines its own name, even when several run at once', async () => {
    const base = info.httpUrl.replace('localhost', '127.0.0.1');
    const ws = info.wsUrl.replace('localhost', '127.0.0.1');
    // Two functions refusing at the same moment: an order that doesn't exist, a ticket that doesn't.
    await Promise.all([
      fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.test', password: 'Wr0ng!Passw0rd' }),
      }),
      new Promise((resolveClose) => {
        const socket = new WebSocket(`${ws}?ticket=made-up-too`);
        socket.once('unexpected-response', resolveClose);
        socket.once('error', () => undefined);
      }),
    ]);
    await new Promise((r) => setTimeout(r, 100));
    const handlerLines = runtime
      .output()
      .stdout.split('\n')
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => JSON.parse(line) as { message: string; function_name?: string });
    expect(handlerLines).toContainEqual(
      expect.objectContaining({ message: 'Request refused', function_name: 'http-auth-login' }),
    );
    expect(handlerLines).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/^WebSocket connection refused/),
        function_name: 'ws-authorizer',
      }),
    );
  });
});
