// Unit: secrets come from Secrets Manager at run time, with the previous value accepted during a rotation.
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const secretsManager = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:CursorSecret-abc';
const notFound = Object.assign(new Error('no previous version'), { name: 'ResourceNotFoundException' });

/** A fresh module each time: its cache lives as long as a container. */
async function freshSecrets() {
  const { vi } = await import('vitest');
  vi.resetModules();
  return import('#lambdas/shared/secrets.ts');
}

describe('secrets', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    secretsManager.reset();
    delete process.env.CURSOR_SECRET;
    process.env.CURSOR_SECRET_ARN = ARN;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the current and the previous value once, then again after five minutes', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: 'new-key' })
      .on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPREVIOUS' })
      .resolves({ SecretString: 'old-key' });
    const { secretValues, SECRET_MAX_AGE_MS } = await freshSecrets();
    expect(await secretValues('CURSOR_SECRET', 0)).toEqual({ current: 'new-key', accepted: ['new-key', 'old-key'] });
    await secretValues('CURSOR_SECRET', SECRET_MAX_AGE_MS - 1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    await secretValues('CURSOR_SECRET', SECRET_MAX_AGE_MS);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(4);
  });

  it('accepts a secret never rotated, and keeps no failed read', async () => {
    secretsManager
      .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .rejects(notFound)
      .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: 'only-key' });
    const { secretValues } = await freshSecrets();
    await expect(secretValues('CURSOR_SECRET', 0)).rejects.toThrow('throttled');
    expect(await secretValues('CURSOR_SECRET', 1)).toEqual({ current: 'only-key', accepted: ['only-key'] });
  });

  it('takes the value from the environment offline, and has none where neither is set', async () => {
    process.env.CURSOR_SECRET = 'x'.repeat(32);
    const { secretValues } = await freshSecrets();
    expect(await secretValues('CURSOR_SECRET')).toEqual({ current: 'x'.repeat(32), accepted: ['x'.repeat(32)] });
    expect(await secretValues('ORIGIN_VERIFY_SECRET')).toBeUndefined();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('keeps cursors made before a rotation valid, and refuses any other key', async () => {
    const [oldKey, newKey] = ['o'.repeat(32), 'n'.repeat(32)];
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: oldKey });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).rejects(notFound);
    await freshSecrets();
    const before = await import('#lambdas/shared/cursor.ts');
    const cursor = (await before.encodeCursor({ pk: 'A' }, 'orders'))!;

    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: newKey });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: oldKey });
    await freshSecrets();
    const after = await import('#lambdas/shared/cursor.ts');
    expect(await after.decodeCursor(cursor, 'orders')).toEqual({ pk: 'A' });
    expect((await after.encodeCursor({ pk: 'A' }, 'orders'))!.split('.')[1]).not.toBe(cursor.split('.')[1]);

    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: newKey });
    secretsManager.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).rejects(notFound);
    await freshSecrets();
    const rotatedTwice = await import('#lambdas/shared/cursor.ts');
    await expect(rotatedTwice.decodeCursor(cursor, 'orders')).rejects.toMatchObject({ status: 400 });
  });
});
