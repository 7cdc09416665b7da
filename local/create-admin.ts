/**
 * `npm run create-admin -- --email a@b.c --password '…' [--name Admin] [--stage dev]`
 *
 * Creates or updates an admin account, idempotently. Without --stage it talks
 * to the running `npm start` (COGNITO_PORT, DYNAMODB_PORT); with --stage it
 * reads that stage's stateful stack outputs and uses your AWS credentials.
 */
import './node-version.ts';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AdminAccountInput } from '#lambdas/schemas/users.ts';
import { provisionUserPool } from './cognito-local.ts';
import { runningRuntimeCredentials } from './credentials.ts';
import { parseOptions } from './cli.ts';
import { localPort } from './ports.ts';
import { localTableName } from './runtime.ts';
import { stackIds } from '#lib/config.ts';
import { localAwsEnvironment } from './aws.ts';

const USAGE = `Usage: npm run create-admin -- --email <email> --password <password> [--name <name>] [--stage <stage>]

Creates or updates an admin account. Without --stage: in the running \`npm start\` (COGNITO_PORT,
DYNAMODB_PORT). With --stage: in that deployed stage, with your AWS credentials.`;

const values = parseOptions(USAGE, {
  email: { type: 'string' },
  password: { type: 'string' },
  name: { type: 'string', default: 'Admin' },
  stage: { type: 'string' },
});

const input = AdminAccountInput.safeParse({ email: values.email, password: values.password, name: values.name });
if (!input.success) {
  console.error(
    `${USAGE}\n\n` + input.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n'),
  );
  process.exit(2);
}

async function deployedEnvironment(stackName: string) {
  const cloudFormation = new CloudFormationClient({});
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const required = ['UserPoolId', 'UserPoolClientId', 'MainTableName'];
  const missing = required.filter((key) => !outputs[key]);
  if (missing.length) throw new Error(`Stack ${stackName} has no output(s) ${missing.join(', ')}`);
  return {
    USER_POOL_ID: outputs.UserPoolId!,
    USER_POOL_CLIENT_ID: outputs.UserPoolClientId!,
    MAIN_TABLE_NAME: outputs.MainTableName!,
  };
}

async function localEnvironment() {
  const cognitoEndpoint = `http://127.0.0.1:${localPort('COGNITO_PORT')}`;
  const credentials = runningRuntimeCredentials();
  const pool = await provisionUserPool(cognitoEndpoint, credentials).catch(() => {
    throw new Error(
      `No local Cognito at ${cognitoEndpoint} that takes this data folder's credentials: start the runtime with \`npm start\` first.`,
    );
  });
  return {
    ...localAwsEnvironment(credentials),
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${localPort('DYNAMODB_PORT')}`,
    USER_POOL_ID: pool.userPoolId,
    USER_POOL_CLIENT_ID: pool.clientId,
    MAIN_TABLE_NAME: localTableName('main'),
  };
}

try {
  const stack = values.stage ? stackIds(values.stage).stateful : undefined;
  Object.assign(process.env, stack ? await deployedEnvironment(stack) : await localEnvironment());
  const { ensureAdmin } = await import('#lambdas/users/ensure-admin.ts');
  const admin = await ensureAdmin(input.data);
  console.log(`Admin ${admin.email} (${admin.id}) is ready${stack ? ` in ${stack}` : ' locally'}.`);
} catch (error) {
  console.error(`create-admin failed: ${(error as Error).message}`);
  process.exit(1);
}
