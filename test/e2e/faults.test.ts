// End-to-end, process level: DynamoDB Local and cognito-local paused and killed under a running
// runtime of its own. Answers stay honest (503 problem+json, fast), nothing acknowledged is lost,
// and the runtime notices, says so on /health, and brings the component back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFor } from '../support/mailbox.ts';
import { spawnRuntime, type RuntimeInfo, type RuntimeProcess } from '../support/runtime-process.ts';

let runtime: RuntimeProcess;
let info: RuntimeInfo;
const dataDir = mkdtempSync(join(tmpdir(), 'order-chat-faults-'));

beforeAll(async () => {
  runtime = spawnRuntime({ POWERTOOLS_LOG_LEVEL: 'ERROR', LOCAL_DATA_DIR: dataDir }, undefined, { persist: true });
  info = await runtime.ready;
}, 90_000);
afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const started = performance.now();
  const response = await fetch(`${info.httpUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: text ? JSON.parse(text) : undefined,
    ms: performance.now() - started,
  };
}

/** The pid of the child of the runtime whose command line contains `marker`. */
function childPid(marker: string): number {
  const lines = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n');
  const mine = new Set<number>([runtime.child.pid!]);
  for (let grew = true; grew;) {
    grew = false;
    for (const line of lines) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number) as [number, number];
      if (mine.has(ppid) && !mine.has(pid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  const found = lines.find((l) => {
    const pid = Number(l.trim().split(/\s+/)[0]);
    return mine.has(pid) && l.includes(marker);
  });
  if (!found) throw new Error(`no child process running ${marker}`);
  return Number(found.trim().split(/\s+/)[0]);
}

async function until(check: () => Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not within ${ms} ms`);
}

describe('faults', () => {
  let token: string;
  const placed: string[] = [];

  beforeAll(async () => {
    const email = `faults-${Date.now()}@example.test`;
    await call('POST', '/auth/register', { body: { name: 'Fault', email, password: 'Str0ng!Passw0rd' } });
    const code = await codeFor(info.mailboxUrl, email);
    token = (await call('POST', '/auth/confirm-email', { body: { email, password: 'Str0ng!Passw0rd', code } })).body
      .accessToken;
  });

  it('a paused DynamoDB Local gets 503 problem+json within 5 s, and service resumes with it', async () => {
    const order = await call('POST', '/orders', {
      token,
      body: { description: 'before', specifications: {}, quantity: 1 },
    });
    expect(order.status).toBe(201);
    placed.push(order.body.id);
    const java = childPid('DynamoDbLocalOnHost');
    process.kill(java, 'SIGSTOP');
    try {
      const answer = await call('GET', `/orders/${order.body.id}`, { token });
      expect(answer.status).toBe(503);
      expect(answer.type).toBe('application/problem+json');
      expect(answer.ms).toBeLessThan(5000);
      // A hung component is named on /health as a dead one is.
      const health = await call('GET', '/health');
      expect(health.status).toBe(503);
      expect(String(health.body.detail)).toContain('DynamoDB Local (no answer within');
    } finally {
      process.kill(java, 'SIGCONT');
    }
    await until(async () => (await call('GET', `/orders/${order.body.id}`, { token })).status === 200, 10_000);
  }, 30_000);

  it('a killed DynamoDB Local shows on /health as 503 naming it, comes back, and keeps what was acknowledged', async () => {
    const order = await call('POST', '/orders', {
      token,
      body: { description: 'kept', specifications: {}, quantity: 2 },
    });
    expect(order.status).toBe(201);
    placed.push(order.body.id);
    process.kill(childPid('DynamoDbLocalOnHost'), 'SIGKILL');
    await until(async () => {
      const health = await call('GET', '/health');
      return health.status === 503 && String(health.body.detail).includes('DynamoDB Local');
    }, 5000);
    const during = await call('GET', `/orders/${order.body.id}`, { token });
    expect([200, 503]).toContain(during.status);
    await until(async () => (await call('GET', '/health')).status === 200, 30_000);
    for (const id of placed) expect((await call('GET', `/orders/${id}`, { token })).status).toBe(200);
    expect(runtime.output().stderr).toMatch(/DynamoDB Local exited .*restarting/);
  }, 60_000);

  it('a killed cognito-local is restarted too: sign-in works again, existing tokens still do', async () => {
    process.kill(childPid('cognito-local'), 'SIGKILL');
    await until(async () => (await call('GET', '/health')).status === 503, 5000);
    await until(async () => (await call('GET', '/health')).status === 200, 30_000);
    expect((await call('GET', '/orders', { token })).status).toBe(200);
    expect(runtime.output().stderr).toMatch(/cognito-local exited .*restarting/);
  }, 60_000);
});
