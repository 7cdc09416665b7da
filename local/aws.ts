/**
 * The AWS settings every offline component shares, declared once: one region, one made-up
 * account, and the credentials DynamoDB Local and the Cognito emulator are called with (they
 * accept any). The in-process functions sign with their own (local/runtime.ts), which the
 * local @connections endpoint checks.
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The environment an AWS SDK in a process of its own needs to reach the local components. */
export const localAwsEnvironment = (
  credentials: { accessKeyId: string; secretAccessKey: string } = EMULATOR_CREDENTIALS,
) => ({
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
});

/** Client settings for an SDK client of the runtime itself (provisioning, create-admin). */
export const emulatorClientConfig = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: EMULATOR_CREDENTIALS,
});
