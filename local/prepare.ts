/**
 * `npm ci` / `npm install` (the `prepare` script): fetches DynamoDB Local into .cache/ and compiles
 * its launcher, once, so the first `npm start` or `npm test` doesn't wait for 56 MB. Never fails
 * the install: without the registry or a JDK, the first `npm start` tries again and says what to do.
 */
import { join, resolve } from 'node:path';
import { compiledLauncher, ensureEmulator } from './dynamodb-local.ts';

const cacheDir = resolve(import.meta.dirname, '..', '.cache');
try {
  const emulatorDir = ensureEmulator(cacheDir);
  compiledLauncher(cacheDir, join(emulatorDir, 'DynamoDBLocal.jar'));
} catch (error) {
  console.warn(
    `DynamoDB Local was not prepared (${(error as Error).message.split('\n')[0]}); npm start will try again.`,
  );
}
