/**
 * `npm run db:view`: dynamodb-admin, a DynamoDB browser, on the tables of the
 * running `npm start` (DYNAMODB_PORT, default 8002). Served on DB_VIEW_PORT
 * (default 8003).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { whenParentGone } from './parent.ts';
import { localPort } from './ports.ts';
import { localAwsEnvironment } from './aws.ts';
import { runningRuntimeCredentials } from './credentials.ts';

const require = createRequire(import.meta.url);
const bin = require.resolve('dynamodb-admin/dist/dynamodb-admin.js');
const endpoint = `http://127.0.0.1:${localPort('DYNAMODB_PORT')}`;
const port = localPort('DB_VIEW_PORT');

const child = spawn(process.execPath, [bin, '--dynamo-endpoint', endpoint, '--port', port, '--host', '127.0.0.1'], {
  stdio: 'inherit',
  // The running runtime's credentials: DynamoDB Local keeps a database per access key id.
  env: { ...process.env, ...localAwsEnvironment(runningRuntimeCredentials()) },
});
console.log(`Browsing ${endpoint} at http://localhost:${port} (Ctrl-C to stop)`);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
whenParentGone(() => child.kill('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
