// Infrastructure: the real `cdk synth` CLI, offline, with real esbuild bundles that must load on this Node.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackIds } from '#lib/config.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'order-chat-cdk-'));

let apiTemplate: { Resources: Record<string, { Type: string; Properties: any }> };

beforeAll(async () => {
  await run('npx', ['cdk', 'synth', '--no-notices', '-q', '-c', 'stage=dev', '-o', out], {
    cwd: root,
    env: { ...process.env, CDK_DEFAULT_REGION: 'eu-west-1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  apiTemplate = JSON.parse(readFileSync(join(out, `${stackIds('dev').api}.template.json`), 'utf8'));
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

function bundleOf(logicalIdPrefix: string): string {
  const [, fn] = Object.entries(apiTemplate.Resources).find(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(logicalIdPrefix),
  )!;
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  return join(out, `asset.${hash}`, 'index.mjs');
}

describe('cdk synth (CLI, offline)', () => {
  it("ships Swagger UI's files inside the docs function's bundle", () => {
    const bundleDir = bundleOf('HttpApiHttpDocs').replace(/index\.mjs$/, '');
    expect(statSync(join(bundleDir, 'swagger-ui', 'swagger-ui-bundle.js')).size).toBeGreaterThan(100_000);
    expect(statSync(join(bundleDir, 'swagger-ui', 'swagger-ui.css')).size).toBeGreaterThan(10_000);
  });

  it('writes all three stacks with zero unacknowledged cdk-nag errors', () => {
    for (const stack of ['Stateful', 'Waf', 'Api']) {
      expect(statSync(join(out, `OrderChat-dev-${stack}.template.json`)).size).toBeGreaterThan(0);
    }
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8'));
    expect(JSON.stringify(report)).not.toMatch(/"status":\s*"failure"/);
  });

  it("ships the web app's build to its bucket's app/ folder: a page with no inline script, and the files it names", () => {
    const [, deployment] = Object.entries(apiTemplate.Resources).find(
      ([, r]) => r.Type === 'Custom::CDKBucketDeployment',
    )!;
    expect(deployment.Properties.DestinationBucketKeyPrefix).toBe('app/');
    const folder = join(out, `asset.${String(deployment.Properties.SourceObjectKeys[0]).replace(/\.zip$/, '')}`);
    const page = readFileSync(join(folder, 'index.html'), 'utf8');
    const named = [...page.matchAll(/(?:src|href)="(app-[^"]+)"/g)].map((m) => m[1]!);
    expect(named).toHaveLength(2);
    for (const file of named) expect(statSync(join(folder, file)).size).toBeGreaterThan(1_000);
    expect(page).not.toMatch(/<script>|<script [^>]*>[^<]|style=/);
  });

  it('builds minified ESM bundles with source maps that load and answer on Node 24', async () => {
    const bundle = bundleOf('HttpApiHttpHealth');
    expect(statSync(bundle).size).toBeLessThan(1_500_000);
    expect(statSync(`${bundle}.map`).size).toBeGreaterThan(0);
    const script = `
      const { handler } = await import(${JSON.stringify(bundle)});
      const event = { version: '2.0', routeKey: 'GET /health', rawPath: '/health', rawQueryString: '', headers: {},
        requestContext: { requestId: 'r1', http: { method: 'GET', path: '/health' } }, isBase64Encoded: false };
      const response = await handler(event, { functionName: 'health', awsRequestId: 'a', getRemainingTimeInMillis: () => 1000 });
      console.log(JSON.stringify(response));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_REGION: 'eu-west-1',
        USER_POOL_ID: 'p',
        USER_POOL_CLIENT_ID: 'c',
      },
    });
    const response = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).status).toBe('ok');
  });
});
