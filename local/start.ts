/**
 * `npm start`: the whole system offline. Options come from env vars (see
 * README, "Configuration"); `--reset` wipes the persisted local data;
 * `--in-memory` keeps nothing (used by the end-to-end tests).
 */
import { resolve } from 'node:path';
import { MissingJavaError } from './dynamodb-local.ts';
import { PortInUseError, startRuntime } from './runtime.ts';

const args = new Set(process.argv.slice(2));
const env = process.env;
const portOf = (name: string, fallback: number) => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number, got "${env[name]}".`);
    process.exit(1);
  }
  return value;
};

const startedAt = performance.now();
try {
  const inMemory = args.has('--in-memory');
  const runtime = await startRuntime({
    port: portOf('PORT', 8000),
    wsPort: portOf('WS_PORT', 8001),
    dynamoDbPort: portOf('DYNAMODB_PORT', 8002),
    cognitoPort: portOf('COGNITO_PORT', 9229),
    ...(inMemory ? {} : { dataDir: resolve(env.LOCAL_DATA_DIR ?? '.local-data') }),
    reset: args.has('--reset') || env.LOCAL_RESET === '1',
    ...(env.ADMIN_EMAIL && env.ADMIN_PASSWORD
      ? { admin: { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, name: env.ADMIN_NAME ?? 'Admin' } }
      : {}),
    ...(env.WS_IDLE_TIMEOUT_SECONDS ? { idleTimeoutSeconds: Number(env.WS_IDLE_TIMEOUT_SECONDS) } : {}),
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
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(`Order Chat is running offline (ready in ${seconds} s)
  HTTP API       ${runtime.httpUrl}
  WebSocket API  ${runtime.wsUrl}
  API docs       ${runtime.docsUrl}
  User pool      ${runtime.userPoolId} (client ${runtime.clientId}) at ${runtime.cognitoEndpoint}
  DynamoDB       ${runtime.dynamoDbEndpoint}
Press Ctrl-C to stop.`);
  if (env.ADMIN_EMAIL) console.log(`Admin account ${env.ADMIN_EMAIL} is ready.`);
  // Machine-readable line for scripts and the end-to-end tests.
  console.log(
    `READY ${JSON.stringify({ httpUrl: runtime.httpUrl, wsUrl: runtime.wsUrl, userPoolId: runtime.userPoolId, clientId: runtime.clientId, cognitoEndpoint: runtime.cognitoEndpoint, dynamoDbEndpoint: runtime.dynamoDbEndpoint })}`,
  );
} catch (error) {
  if (error instanceof PortInUseError || error instanceof MissingJavaError) {
    console.error(error.message);
  } else {
    console.error('Could not start the local runtime:', error);
  }
  process.exit(1);
}
