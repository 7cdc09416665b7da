/**
 * The runtime's own AWS credentials: what its functions sign with, and what its local services
 * accept. DynamoDB Local checks no signature but keeps one database per access key id, so a
 * client without the runtime's key sees an empty one; cognito-local takes admin calls only when
 * they are signed with these (local/cognito-local-guard.cjs); the local @connections endpoint
 * likewise. The key id is derived from the secret, so one value (LOCAL_AWS_SECRET) is all a tool
 * or a test needs to act as the runtime's functions do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LOCAL_REGION } from './aws.ts';

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const CREDENTIALS_FILE = 'local-credentials.json';

export const credentialsFromSecret = (secret: string): LocalCredentials => ({
  accessKeyId: `LOCAL${createHash('sha256').update(secret).digest('hex').slice(0, 16).toUpperCase()}`,
  secretAccessKey: secret,
});

/** The secret a data folder's runtime uses, if it has started once. */
export function dataFolderSecret(dataDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dataDir, CREDENTIALS_FILE), 'utf8')) as { secret?: string }).secret;
  } catch {
    return undefined;
  }
}

/**
 * LOCAL_AWS_SECRET when set; else the data folder's own secret (made at its first start, readable
 * by its owner only); else a new one for an in-memory runtime. A data folder written before the
 * runtime had credentials of its own keeps its tables: DynamoDB Local's file for the old shared key
 * is renamed for the new one.
 */
export function runtimeCredentials(dataDir: string | undefined, fromEnvironment = process.env.LOCAL_AWS_SECRET) {
  const saved = dataDir ? dataFolderSecret(dataDir) : undefined;
  const secret = fromEnvironment || saved || randomBytes(24).toString('base64url');
  const credentials = credentialsFromSecret(secret);
  if (dataDir && secret !== saved) {
    writeFileSync(join(dataDir, CREDENTIALS_FILE), JSON.stringify({ secret }), { mode: 0o600 });
    const legacy = join(dataDir, 'dynamodb', `local_${LOCAL_REGION}.db`);
    const current = join(dataDir, 'dynamodb', `${credentials.accessKeyId}_${LOCAL_REGION}.db`);
    if (existsSync(legacy) && !existsSync(current)) renameSync(legacy, current);
  }
  return credentials;
}

/**
 * For a tool acting on a running `npm start` (create-admin, db:view): LOCAL_AWS_SECRET, or the
 * secret of the data folder it runs on (LOCAL_DATA_DIR, .local-data by default).
 */
export function runningRuntimeCredentials(): LocalCredentials {
  const secret = process.env.LOCAL_AWS_SECRET || dataFolderSecret(resolve(process.env.LOCAL_DATA_DIR ?? '.local-data'));
  if (!secret) {
    throw new Error(
      'No local runtime credentials: start the runtime with `npm start` (its data folder holds them), ' +
        'or set LOCAL_AWS_SECRET to the secret an in-memory runtime was started with.',
    );
  }
  return credentialsFromSecret(secret);
}
