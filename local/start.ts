/**
 * `npm start`: the whole system offline. Options come from env vars (see
 * docs/development.md, "Configuration") and the flags below (`npm start -- --help`).
 */
import './node-version.ts';
import { resolve } from 'node:path';
import { parseOptions } from './cli.ts';
import { whenParentGone } from './parent.ts';
import { StartupError } from './errors.ts';
import { DEFAULT_PORTS, localPort, type PortName } from './ports.ts';
import { requestLog } from './request-log.ts';
import { startRuntime } from './runtime.ts';

const USAGE = `Usage: npm start [-- options]

Runs Order Chat offline: DynamoDB Local, cognito-local and the local API Gateway (HTTP and WebSocket).

Options:
  --reset       wipe the local data (LOCAL_DATA_DIR, default .local-data) first
  --in-memory   keep nothing: every table and user is gone when it stops
  --help        show this and exit

Environment: ${Object.entries(DEFAULT_PORTS)
  .filter(([name]) => name !== 'DB_VIEW_PORT')
  .map(([name, port]) => `${name} (${port})`)
  .join(', ')}, LOCAL_DATA_DIR,
LOCAL_RESET=1, ADMIN_EMAIL/ADMIN_PASSWORD/ADMIN_NAME, WS_IDLE_TIMEOUT_SECONDS, POWERTOOLS_LOG_LEVEL,
NOTIFY_DELAY_SECONDS/NOTIFY_GAP_SECONDS/NOTIFY_RETRY_SECONDS/NOTIFY_POLL_SECONDS, LOCAL_MAILBOX_URL,
REQUEST_LOG (pretty|json|off). See docs/development.md, "Configuration".`;

const flags = parseOptions(USAGE, { reset: { type: 'boolean' }, 'in-memory': { type: 'boolean' } });
const env = process.env;
const portOf = (name: PortName) => {
  const value = Number(localPort(name, env));
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number, got "${env[name]}".`);
    process.exit(1);
  }
  return value;
};

let log: ReturnType<typeof requestLog>;
try {
  log = requestLog();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const startedAt = performance.now();
// Until the runtime is up there is nothing to stop gracefully: if npm goes while it boots, exit,
// and the reaper (local/processes.ts) takes the emulators started so far along.
let stop: () => void = () => process.exit(1);
whenParentGone(() => stop());
try {
  const inMemory = flags['in-memory'] === true;
  const runtime = await startRuntime({
    port: portOf('PORT'),
    wsPort: portOf('WS_PORT'),
    dynamoDbPort: portOf('DYNAMODB_PORT'),
    cognitoPort: portOf('COGNITO_PORT'),
    mailboxPort: portOf('MAILBOX_PORT'),
    s3Port: portOf('S3_PORT'),
    ...(inMemory ? {} : { dataDir: resolve(env.LOCAL_DATA_DIR ?? '.local-data') }),
    reset: flags.reset === true || env.LOCAL_RESET === '1',
    watch: true,
    ...(log ? { requestLog: log } : {}),
    ...(env.ADMIN_EMAIL && env.ADMIN_PASSWORD
      ? { admin: { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, name: env.ADMIN_NAME ?? 'Admin' } }
      : {}),
    ...(env.WS_IDLE_TIMEOUT_SECONDS ? { idleTimeoutSeconds: Number(env.WS_IDLE_TIMEOUT_SECONDS) } : {}),
    ...(env.WS_MAX_CONNECTION_SECONDS ? { maxConnectionSeconds: Number(env.WS_MAX_CONNECTION_SECONDS) } : {}),
    ...(env.LOCAL_WS_DROP_DISCONNECT === '1' ? { dropDisconnects: true } : {}),
    ...(env.LOCAL_WS_FRAME_JITTER_MS ? { frameJitterMs: Number(env.LOCAL_WS_FRAME_JITTER_MS) } : {}),
    ...(env.LOCAL_EDGE_EXEMPT_IPS
      ? { edgeLimitExemptIps: env.LOCAL_EDGE_EXEMPT_IPS.split(',').map((ip) => ip.trim()) }
      : {}),
    ...(env.LOCAL_MAILBOX_URL ? { mailboxUrl: env.LOCAL_MAILBOX_URL } : {}),
    notifications: {
      ...(env.NOTIFY_DELAY_SECONDS ? { delaySeconds: Number(env.NOTIFY_DELAY_SECONDS) } : {}),
      ...(env.NOTIFY_GAP_SECONDS ? { minGapSeconds: Number(env.NOTIFY_GAP_SECONDS) } : {}),
      ...(env.NOTIFY_RETRY_SECONDS ? { retrySeconds: Number(env.NOTIFY_RETRY_SECONDS) } : {}),
      ...(env.NOTIFY_POLL_SECONDS ? { pollSeconds: Number(env.NOTIFY_POLL_SECONDS) } : {}),
    },
    onFatal: (reason) => {
      console.error(`The local runtime cannot go on: ${reason}.`);
      void (async () => {
        await runtime.stop().catch(() => undefined);
        process.exit(1);
      })();
    },
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await runtime.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
  stop = () => void shutdown('parent process exited');

  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(`Order Chat is running offline (ready in ${seconds} s)
  Web app        ${runtime.appUrl}
  HTTP API       ${runtime.httpUrl}
  WebSocket API  ${runtime.wsUrl}
  API docs       ${runtime.docsUrl}
  Mailbox        ${runtime.mailboxUrl}  (every e-mail sent: sign-up and reset codes)
  S3             ${runtime.s3Endpoint}  (bucket ${runtime.attachmentsBucket}: the files sent in chat)
  User pool      ${runtime.userPoolId} (client ${runtime.clientId}) at ${runtime.cognitoEndpoint}
  DynamoDB       ${runtime.dynamoDbEndpoint}
Press Ctrl-C to stop.`);
  if (env.ADMIN_EMAIL) console.log(`Admin account ${env.ADMIN_EMAIL} is ready.`);
  // Machine-readable line for scripts and the end-to-end tests.
  console.log(
    `READY ${JSON.stringify({ httpUrl: runtime.httpUrl, wsUrl: runtime.wsUrl, userPoolId: runtime.userPoolId, clientId: runtime.clientId, cognitoEndpoint: runtime.cognitoEndpoint, dynamoDbEndpoint: runtime.dynamoDbEndpoint, mailboxUrl: runtime.mailboxUrl, s3Endpoint: runtime.s3Endpoint, dataDir: runtime.dataDir })}`,
  );
} catch (error) {
  // One line a person can act on; the stack only when it is not one of ours.
  if (error instanceof StartupError) console.error(error.message);
  else console.error(`Could not start the local runtime: ${(error as Error).message ?? String(error)}`);
  process.exit(1);
}
