/**
 * `npm run smoke [-- --outputs cdk-outputs.json] [--stage dev]`: the user journey of
 * test/smoke/journey.ts against the local runtime (default: the URLs `npm start` uses, honouring
 * PORT and WS_PORT) or a deployed stage (`cdk deploy --outputs-file cdk-outputs.json`). The admin
 * it signs in as comes from ADMIN_EMAIL and ADMIN_PASSWORD (what `npm start` and `npm run
 * create-admin` use). Locally it registers a customer and confirms it with the code from the
 * mailbox (MAILBOX_PORT); a deployed stage's codes go to real inboxes, so there it signs in as the
 * customer SMOKE_CUSTOMER_EMAIL and SMOKE_CUSTOMER_PASSWORD name, confirmed beforehand. One line
 * per step with its latency; exits 1 at the first failure.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stackIds, stages, type StageName } from '#lib/config.ts';
import { localPort } from '#local/ports.ts';
import { runJourney, type SmokeTarget } from './journey.ts';

const { values } = parseArgs({ options: { outputs: { type: 'string' }, stage: { type: 'string' } } });

function fail(message: string): never {
  console.error(`smoke: ${message}`);
  process.exit(2);
}

function deployedTarget(file: string): Omit<SmokeTarget, 'admin'> & { name: string } {
  let outputs: Record<string, Record<string, string>>;
  try {
    outputs = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(
      `cannot read ${file}: ${(error as Error).message} (write it with \`npm run deploy -- --outputs-file ${file}\`)`,
    );
  }
  const candidates = (Object.keys(stages) as StageName[]).filter((stage) => outputs[stackIds(stage).api]?.ApiUrl);
  const stage = (values.stage as StageName | undefined) ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!stage || !candidates.includes(stage)) {
    fail(`${file} has API stacks for [${candidates.join(', ')}]: pick one with --stage`);
  }
  const api = outputs[stackIds(stage).api]!;
  return {
    name: `${stackIds(stage).api} (${api.Region})`,
    httpUrl: api.ApiUrl!.replace(/\/$/, ''),
    wsUrl: api.WebSocketUrl!,
    origin: stages[stage].corsOrigins[0]!,
  };
}

const port = localPort('PORT');
const wsPort = localPort('WS_PORT');
const [email, password] = [process.env.ADMIN_EMAIL, process.env.ADMIN_PASSWORD];
if (!email || !password) {
  fail(
    'set ADMIN_EMAIL and ADMIN_PASSWORD to an admin of the target (locally: start it with them; deployed: `npm run create-admin`)',
  );
}
const [customerEmail, customerPassword] = [process.env.SMOKE_CUSTOMER_EMAIL, process.env.SMOKE_CUSTOMER_PASSWORD];
const target = values.outputs
  ? { ...deployedTarget(values.outputs), customer: deployedCustomer() }
  : {
      name: 'the local runtime (npm start)',
      httpUrl: `http://localhost:${port}`,
      wsUrl: `ws://localhost:${wsPort}/local`,
      origin: stages.local.corsOrigins[0]!,
      mailboxUrl: `http://127.0.0.1:${localPort('MAILBOX_PORT')}`,
    };

/** A deployed stage e-mails its codes to real inboxes: the journey signs in as a customer confirmed beforehand. */
function deployedCustomer() {
  if (!customerEmail || !customerPassword) {
    fail(
      'set SMOKE_CUSTOMER_EMAIL and SMOKE_CUSTOMER_PASSWORD to a customer of the stage whose address is confirmed (sign up once in its web app)',
    );
  }
  return { email: customerEmail, password: customerPassword };
}

console.log(`Smoke test against ${target.name}: ${target.httpUrl}, ${target.wsUrl}`);
const started = performance.now();
const passed = await runJourney({ ...target, admin: { email, password } }, ({ step, ms, ok, detail }) =>
  console.log(`${ok ? '✓' : '✗'} ${step.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms${detail ? `  ${detail}` : ''}`),
);
console.log(
  `${passed ? 'Passed' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(1)} s against ${target.httpUrl}`,
);
process.exit(passed ? 0 : 1);
