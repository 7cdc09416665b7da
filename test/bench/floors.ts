/**
 * Each function's floor: a handler that imports the same AWS SDK clients the function's bundle
 * carries and makes one call with each, built with the same esbuild settings (lib/bundles.ts).
 * What a function weighs above its floor is our own code and the libraries we chose.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { functions, type FunctionName } from '#lambdas/routes.ts';
import { BUNDLE_OPTIONS } from '#lib/bundles.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

/** One call with each client, as cheap to bundle as the client allows. */
const ONE_CALL: Record<string, { client: string; command: string; input: string }> = {
  '@aws-sdk/client-dynamodb': {
    client: 'DynamoDBClient',
    command: 'GetItemCommand',
    input: "{ TableName: 't', Key: { pk: { S: 'k' } } }",
  },
  '@aws-sdk/client-cognito-identity-provider': {
    client: 'CognitoIdentityProviderClient',
    command: 'AdminGetUserCommand',
    input: "{ UserPoolId: 'p', Username: 'u' }",
  },
  // Every HTTP function reads CloudFront's origin secret (lambdas/shared/origin-verify.ts).
  '@aws-sdk/client-secrets-manager': {
    client: 'SecretsManagerClient',
    command: 'GetSecretValueCommand',
    input: "{ SecretId: 's' }",
  },
  '@aws-sdk/client-sesv2': {
    client: 'SESv2Client',
    command: 'SendEmailCommand',
    input:
      "{ FromEmailAddress: 'f@example.com', Destination: { ToAddresses: ['t@example.com'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }",
  },
  // Chat attachments' bucket (lambdas/shared/s3-client.ts).
  '@aws-sdk/client-s3': {
    client: 'S3Client',
    command: 'GetObjectCommand',
    input: "{ Bucket: 'b', Key: 'k' }",
  },
  '@aws-sdk/client-apigatewaymanagementapi': {
    client: 'ApiGatewayManagementApiClient',
    command: 'PostToConnectionCommand',
    input: "{ ConnectionId: 'c', Data: 'x' }",
  },
};

export interface FloorRow {
  fn: FunctionName;
  clients: string[];
  bytes: number;
  floorBytes: number;
  importMs: number;
  floorImportMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Time to import a bundle in a fresh Node process, measured around the import alone. */
async function importOnce(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env });
  return Number(stdout.trim().split('\n').pop());
}

/**
 * Median import times of a bundle and its floor, taken in turns: whatever else the machine is doing
 * slows both alike, so the ratio holds on a busy machine too.
 */
async function importMsInTurns(bundle: string, floor: string, runs: number, env: NodeJS.ProcessEnv) {
  const bundleTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    bundleTimes.push(await importOnce(bundle, env));
    floorTimes.push(await importOnce(floor, env));
  }
  return { importMs: median(bundleTimes), floorImportMs: median(floorTimes) };
}

/**
 * A function that serves a document (docs: the API contract) carries it in its bundle; its floor
 * imports and returns the same document, so the ratio weighs the code around it, not the contract.
 */
function floorSource(clients: string[], documents: string[]): string {
  const lines = clients.map((pkg, i) => {
    const { client, command, input } = ONE_CALL[pkg]!;
    return [
      `import { ${client} as Client${i}, ${command} as Command${i} } from '${pkg}';`,
      `const client${i} = new Client${i}({});`,
      `calls.push(() => client${i}.send(new Command${i}(${input})));`,
    ].join('\n');
  });
  return [
    ...lines.map((block) => block.split('\n')[0]),
    ...documents.map((path, i) => `import document${i} from ${JSON.stringify(path)} with { type: 'json' };`),
    `const documents = [${documents.map((_, i) => `document${i}`).join(', ')}];`,
    'const calls = [];',
    ...lines.map((block) => block.split('\n').slice(1).join('\n')),
    'export const handler = async () => {',
    '  for (const call of calls) await call().catch(() => undefined);',
    '  return { statusCode: 200, body: JSON.stringify(documents) };',
    '};',
  ].join('\n');
}

/** Builds every function and its floor, and times both (median of `runs` fresh processes). */
export async function measureFloors(runs: number, env: NodeJS.ProcessEnv): Promise<FloorRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'order-chat-floors-'));
  try {
    const rows: FloorRow[] = [];
    for (const fn of Object.keys(functions) as FunctionName[]) {
      const dir = join(work, fn.replace('/', '-'));
      const built = buildSync({
        ...BUNDLE_OPTIONS,
        absWorkingDir: root,
        entryPoints: { index: resolve(root, 'lambdas', 'handlers', `${fn}.ts`) },
        outdir: dir,
        metafile: true,
      });
      // What the bundle carries: inputs esbuild kept bytes of (a tree-shaken import counts for nothing).
      const output = Object.values(built.metafile.outputs).find((o) => o.entryPoint !== undefined)!;
      const inputs = Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path);
      const clients = Object.keys(ONE_CALL).filter((pkg) =>
        inputs.some((input) => input.includes(`node_modules/${pkg}/`)),
      );
      const documents = inputs
        .filter((input) => input.startsWith('lambdas/') && input.endsWith('.json'))
        .map((input) => resolve(root, input));
      const floorEntry = join(dir, 'floor-source.mjs');
      writeFileSync(floorEntry, floorSource(clients, documents));
      buildSync({
        ...BUNDLE_OPTIONS,
        absWorkingDir: root,
        entryPoints: { floor: floorEntry },
        outdir: dir,
        nodePaths: [join(root, 'node_modules')],
      });
      const bundle = join(dir, 'index.mjs');
      const floor = join(dir, 'floor.mjs');
      rows.push({
        fn,
        clients,
        bytes: statSync(bundle).size,
        floorBytes: statSync(floor).size,
        ...(await importMsInTurns(bundle, floor, runs, env)),
      });
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
