/**
 * Secrets a function reads from Secrets Manager, never from its configuration (a value in a
 * function's environment is readable by anyone allowed lambda:GetFunctionConfiguration and changes
 * only with a deploy). `<NAME>_ARN` names the secret; only the functions the route table gives the
 * secret have that variable and may read it. Offline and in tests `<NAME>` holds the value itself.
 *
 * A value is read at first use and kept for SECRET_MAX_AGE_MS, with the previous version while a
 * rotation is under way, so every container takes a new value within minutes and what was made
 * with the old one (a cursor, CloudFront's header until its redeploy) is still accepted meanwhile.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CALL_LIMITS, withDeadline } from './aws-calls.ts';

export type SecretName = 'ORIGIN_VERIFY_SECRET' | 'CURSOR_SECRET' | 'UNSUBSCRIBE_SECRET';

export const SECRET_MAX_AGE_MS = 5 * 60_000;

/** The value to make things with, and every value to accept (current first, then the previous one). */
export interface SecretValues {
  current: string;
  accepted: readonly string[];
}

let client: SecretsManagerClient | undefined;
const cache = new Map<SecretName, { readAt: number; values: Promise<SecretValues> }>();

async function read(secretId: string): Promise<SecretValues> {
  client ??= withDeadline(new SecretsManagerClient({ ...CALL_LIMITS }));
  const stage = (VersionStage: string) => client!.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage }));
  const [current, previous] = await Promise.all([
    stage('AWSCURRENT'),
    // A secret never rotated has no previous version.
    stage('AWSPREVIOUS').catch((error: unknown) => {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }),
  ]);
  if (!current.SecretString) throw new Error(`Secret ${secretId} has no string value`);
  const accepted = [current.SecretString, ...(previous?.SecretString ? [previous.SecretString] : [])];
  return { current: current.SecretString, accepted };
}

/** The secret's values, or undefined where the stage has none (offline, ORIGIN_VERIFY_SECRET). */
export async function secretValues(name: SecretName, now = Date.now()): Promise<SecretValues | undefined> {
  const plain = process.env[name];
  if (plain) return { current: plain, accepted: [plain] };
  const secretId = process.env[`${name}_ARN`];
  if (!secretId) return undefined;
  const cached = cache.get(name);
  if (cached && now - cached.readAt < SECRET_MAX_AGE_MS) return cached.values;
  const values = read(secretId);
  cache.set(name, { readAt: now, values });
  // A failed read is not kept: the next call tries again.
  values.catch(() => cache.delete(name));
  return values;
}
