/**
 * Starts `local/start.ts --in-memory` as its own process on free ports, as
 * `npm start` would, and resolves with the URLs its READY line announces.
 *
 * @example const runtime = spawnRuntime({ ADMIN_EMAIL: '…' }); const info = await runtime.ready;
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';

export interface RuntimeInfo {
  httpUrl: string;
  wsUrl: string;
  userPoolId: string;
  clientId: string;
  cognitoEndpoint: string;
  dynamoDbEndpoint: string;
  /** The local mailbox (an SES emulator): the e-mails the product sent, as JSON at /store. */
  mailboxUrl: string;
  /** The runtime's data folder: its credentials, and the key its Cognito emulator signs tokens with. */
  dataDir: string;
}

/**
 * The runtime's URLs on the loopback address: it announces `localhost`, which may resolve to ::1
 * first while it listens on 127.0.0.1 only.
 */
export const loopbackUrl = (url: string) => url.replace('//localhost:', '//127.0.0.1:');
export const onLoopback = (info: RuntimeInfo): RuntimeInfo => ({
  ...info,
  httpUrl: loopbackUrl(info.httpUrl),
  wsUrl: loopbackUrl(info.wsUrl),
});

export interface RuntimeProcess {
  child: ChildProcess;
  /** Rejects if the runtime exits (or takes over 90 s) before it is ready. */
  ready: Promise<RuntimeInfo>;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '..', '..');

export function spawnRuntime(
  env: Record<string, string> = {},
  log?: Writable,
  options: { persist?: boolean; viaNpm?: boolean; args?: string[]; root?: string } = {},
): RuntimeProcess {
  const flags = [...(options.persist ? [] : ['--in-memory']), ...(options.args ?? [])];
  // Through npm, as a person or an IDE starts it (npm → sh → node), or the runtime's process alone.
  const [command, args] = options.viaNpm
    ? ['npm', ['start', '--silent', '--', ...flags]]
    : [process.execPath, ['--import', 'tsx', 'local/start.ts', ...flags]];
  const child = spawn(command, args, {
    cwd: options.root ?? root,
    env: {
      ...process.env,
      PORT: '0',
      WS_PORT: '0',
      DYNAMODB_PORT: '0',
      COGNITO_PORT: '0',
      MAILBOX_PORT: '0',
      S3_PORT: '0',
      // The suites sign up hundreds of users from this one address: the edge's per-address limits
      // skip it, and a test of those limits calls from another loopback address (127.0.0.2).
      LOCAL_EDGE_EXEMPT_IPS: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    log?.write(chunk);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
    log?.write(chunk);
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const ready = new Promise<RuntimeInfo>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('Local runtime not ready in 90 s')), 90_000);
    child.stdout!.on('data', () => {
      const line = stdout.split('\n').find((l) => l.startsWith('READY '));
      if (!line) return;
      clearTimeout(timer);
      resolvePromise(JSON.parse(line.slice('READY '.length)) as RuntimeInfo);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Local runtime exited with ${code}: ${stderr.trim()}`));
    });
  });
  ready.catch(() => undefined); // callers that expect a failed start await `exited` instead
  return {
    child,
    ready,
    exited,
    output: () => ({ stdout, stderr }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
