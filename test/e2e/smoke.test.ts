// End-to-end: `npm run smoke` itself, against this runtime, so the journey docs/deploying.md
// ends with can't rot — once with the local defaults (PORT, WS_PORT), once through a deploy's outputs file.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stackIds } from '#lib/config.ts';
import { BOOTSTRAP_ADMIN } from './bootstrap-admin.ts';
import { newUser, runtime } from './support.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'order-chat-smoke-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const smoke = (args: string[], env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', 'test/smoke/run.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
const admin = { ADMIN_EMAIL: BOOTSTRAP_ADMIN.email, ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password };
// From the web app to the clean-up: its steps, each a line (test/smoke/journey.ts).
const STEPS = 15;

describe('npm run smoke', () => {
  it('walks the whole journey against the local runtime, one line per step with its latency', async () => {
    const { port } = new URL(runtime.httpUrl);
    const { port: wsPort } = new URL(runtime.wsUrl);
    const { port: mailboxPort } = new URL(runtime.mailboxUrl);
    const { stdout } = await smoke([], { ...admin, PORT: port, WS_PORT: wsPort, MAILBOX_PORT: mailboxPort });
    const steps = stdout.split('\n').filter((line) => /^[✓✗] /.test(line));
    expect(steps).toHaveLength(STEPS);
    for (const line of steps) expect(line).toMatch(/^✓ .+ \d+ ms$/);
    expect(stdout).toMatch(/Passed in [\d.]+ s/);
  }, 60_000);

  it('takes a deployed stage from `cdk deploy --outputs-file`', async () => {
    const outputs = join(scratch, 'cdk-outputs.json');
    writeFileSync(
      outputs,
      JSON.stringify({
        [stackIds('dev').stateful]: { UserPoolId: 'unused' },
        [stackIds('dev').api]: { ApiUrl: `${runtime.httpUrl}/`, WebSocketUrl: runtime.wsUrl, Region: 'local' },
      }),
    );
    const missing = await smoke(['--outputs', outputs], admin).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('SMOKE_CUSTOMER_EMAIL') });
    // A deployed stage's codes go to real inboxes: the journey signs in as a customer confirmed beforehand.
    const customer = await newUser('smoke-deployed');
    const { stdout } = await smoke(['--outputs', outputs], {
      ...admin,
      SMOKE_CUSTOMER_EMAIL: customer.email,
      SMOKE_CUSTOMER_PASSWORD: customer.password,
    });
    expect(stdout).toContain(`against ${stackIds('dev').api} (local)`);
    // Its customer signs in (no sign-up and no code) and stays: two steps fewer.
    expect(stdout.split('\n').filter((line) => line.startsWith('✓ '))).toHaveLength(STEPS - 2);
  }, 60_000);

  it('says what is missing instead of failing halfway', async () => {
    const failure = await smoke([], { ADMIN_EMAIL: '', ADMIN_PASSWORD: '' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('ADMIN_EMAIL and ADMIN_PASSWORD') });
    const wrong = await smoke(['--outputs', join(scratch, 'missing.json')], admin).catch((error: unknown) => error);
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining('--outputs-file') });
  });

  it('reports the failing step and exits 1 when the target misbehaves', async () => {
    const { port } = new URL(runtime.httpUrl);
    const { port: wsPort } = new URL(runtime.wsUrl);
    const failure = await smoke([], {
      ADMIN_EMAIL: admin.ADMIN_EMAIL,
      ADMIN_PASSWORD: 'Wr0ng!Passw0rd',
      PORT: port,
      WS_PORT: wsPort,
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 1, stdout: expect.stringMatching(/✗ sign in as the admin .*401/) });
  });
});
