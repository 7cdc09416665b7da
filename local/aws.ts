/**
 * The AWS settings every offline component shares, declared once: one region and one made-up
 * account. Credentials are the runtime's own (local/credentials.ts).
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';

type Credentials = { accessKeyId: string; secretAccessKey: string };

/** The environment an AWS SDK in a process of its own needs to reach the local components. */
export const localAwsEnvironment = (credentials: Credentials) => ({
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
});

/** Client settings for an SDK client of the runtime itself or a tool acting for it (provisioning, create-admin). */
export const emulatorClientConfig = (endpoint: string, credentials: Credentials) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials,
});
