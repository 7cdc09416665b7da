// Infrastructure: the real `cdk synth` CLI, offline, with real esbuild bundles that must load on this Node.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
  // The API stack and its nested stacks (each its own file), as one set of resources.
  const files = [
    `${stackIds('dev').api}.template.json`,
    ...readdirSync(out).filter((f) => f.endsWith('.nested.template.json')),
  ];
  apiTemplate = { Resources: {} };
  for (const file of files)
    Object.assign(apiTemplate.Resources, JSON.parse(readFileSync(join(out, file), 'utf8')).Resources);
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
    const bundleDir = bundleOf('HttpDocs').replace(/index\.mjs$/, '');
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

  /** Invokes a synthesized bundle's handler in a fresh Node 24 process, as Lambda would, and returns its answer. */
  async function invokeBundle(
    logicalIdPrefix: string,
    event: unknown,
  ): Promise<{ statusCode: number; body?: string; headers?: Record<string, string> }> {
    const script = `
      const { handler } = await import(${JSON.stringify(bundleOf(logicalIdPrefix))});
      const response = await handler(${JSON.stringify(event)}, { functionName: 'f', awsRequestId: 'a', getRemainingTimeInMillis: () => 1000 });
      console.log(JSON.stringify(response));`;
    const invoked = run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_REGION: 'eu-west-1',
        USER_POOL_ID: 'p',
        USER_POOL_CLIENT_ID: 'c',
        MAIN_TABLE_NAME: 't',
        CONNECTIONS_TABLE_NAME: 't',
        WS_CALLBACK_URL: 'https://x.execute-api.eu-west-1.amazonaws.com/ws',
        CURSOR_SECRET: 'x'.repeat(40),
      },
    });
    // A failure's message would quote the script and the whole minified bundle: keep what it printed.
    const { stdout } = await invoked.catch((error: { stderr?: string }) => {
      throw new Error(`${logicalIdPrefix} failed: ${error.stderr?.split('\n').slice(-5).join('\n')}`);
    });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  }

  const httpEvent = (routeKey: string, body?: string) => {
    const [method, path] = routeKey.split(' ');
    return {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: '',
      headers: body ? { 'content-type': 'application/json' } : {},
      requestContext: { requestId: 'r1', http: { method, path } },
      isBase64Encoded: false,
      ...(body ? { body } : {}),
    };
  };

  it('builds minified ESM bundles with source maps that load and answer on Node 24', async () => {
    const bundle = bundleOf('HttpHealth');
    expect(statSync(bundle).size).toBeLessThan(1_500_000);
    expect(statSync(`${bundle}.map`).size).toBeGreaterThan(0);
    const response = await invokeBundle('HttpHealth', httpEvent('GET /health'));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!).status).toBe('ok');
  });

  it("validates with the route's compiled schemas inside the bundle: every field at fault, as problem+json", async () => {
    const response = await invokeBundle(
      'HttpAuthLogin',
      httpEvent('POST /auth/login', JSON.stringify({ email: 'not-an-email', extra: 1 })),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers!['content-type']).toBe('application/problem+json');
    const paths = (JSON.parse(response.body!).errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['body.email', 'body.extra', 'body.password']);
  });

  it('serves the generated contract from the docs bundle, and answers unknown WebSocket actions', async () => {
    const docs = await invokeBundle('HttpDocs', httpEvent('GET /openapi.json'));
    expect(docs.statusCode).toBe(200);
    expect(JSON.parse(docs.body!).paths['/orders']).toBeDefined();
    const frame = await invokeBundle('WebSocketApiWsDefault', {
      requestContext: { routeKey: '$default', connectionId: 'c1', requestId: 'r1', eventType: 'MESSAGE' },
      body: JSON.stringify({ action: 'dance' }),
      isBase64Encoded: false,
    });
    expect(JSON.parse(frame.body!)).toMatchObject({ type: 'error', status: 400, action: 'dance' });
    expect(JSON.parse(frame.body!).message).toMatch(
      /joinRoom, leaveRoom, sendMessage, markRead, typing, watchOrders, unwatchOrders, closeRoom/,
    );
  });
});
