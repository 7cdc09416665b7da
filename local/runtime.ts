/**
 * The whole system offline: DynamoDB Local, the Cognito emulator, and our
 * local API Gateway (HTTP + WebSocket) running the real handlers in-process
 * with the environment the CDK stack would give them.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { httpCors, httpRoutes, timeoutOf, wsAuthorizer, wsRoutes, type FunctionName } from '#lambdas/routes.ts';
import { functionGrants } from '#lib/grants.ts';
import { tables } from '#lambdas/tables.ts';
import { LOCAL_EMAIL_FROM } from '#lambdas/identity.ts';
import { stages } from '#lib/config.ts';
import { startCognitoLocal, provisionUserPool } from './cognito-local.ts';
import { startMailbox } from './mailbox.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { createHttpGateway } from './http-gateway.ts';
import { createJwtAuthorizer } from './jwt-authorizer.ts';
import { enforcePermissions } from './iam.ts';
import { cachedLoader, invoke } from './lambda-runner.ts';
import { StartupError } from './errors.ts';
import { removeOnExit, type Child } from './processes.ts';
import type { RequestLog } from './request-log.ts';
import { createTables } from './tables.ts';
import { webApp } from './web-app.ts';
import { meterCapacity } from './capacity-meter.ts';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { APP_PATH } from '../web/build.ts';
import { createWsGateway } from './ws-gateway.ts';
import { startSchedule } from './schedule.ts';
import { NOTIFY_SCHEDULE_SECONDS } from '#lib/config.ts';
import { EDGE_LIMITS } from '#lib/edge-limits.ts';
import { edgeRateLimit } from './http-gateway/edge-limits.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localAwsEnvironment } from './aws.ts';
import { startLocalS3 } from './s3.ts';
import { runtimeCredentials, type LocalCredentials } from './credentials.ts';

export const WS_STAGE = 'local';
const ATTACHMENTS_BUCKET = 'order-chat-local-attachments';

/** S3's "Object Created" event as EventBridge delivers it (the fields the check function reads, and their neighbours). */
const objectCreatedEvent = (object: { bucket: string; key: string; size: number }) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: LOCAL_ACCOUNT_ID,
  time: new Date().toISOString(),
  region: LOCAL_REGION,
  resources: [`arn:aws:s3:::${object.bucket}`],
  detail: {
    version: '0',
    bucket: { name: object.bucket },
    object: { key: object.key, size: object.size },
    reason: 'PostObject',
  },
});
const projectRoot = resolve(import.meta.dirname, '..');

/** What the gateway needs of a route's function: its timeout, and its grants (enforced here as IAM would). */
const functionSettings = (name: FunctionName) => ({
  timeoutSeconds: timeoutOf(name),
  permissions: functionGrants(name),
});

function withFunctionSettings<R extends { handler: FunctionName }>(routes: Record<string, R>) {
  return Object.fromEntries(
    Object.entries(routes).map(([key, route]) => [key, { ...route, ...functionSettings(route.handler) }]),
  );
}

export interface RuntimeOptions {
  port: number;
  wsPort: number;
  dynamoDbPort: number;
  cognitoPort: number;
  /** The local mailbox (SES emulator with a web inbox); 0 picks a free port. */
  mailboxPort?: number;
  /** Send e-mail through this SES endpoint (a mailbox already running) instead of starting one. */
  mailboxUrl?: string;
  /** The local S3 (chat attachments); 0 picks a free port. */
  s3Port?: number;
  /**
   * E-mail for whoever is away: the stage's delay and gap (lib/config.ts) unless given, and how often
   * the dispatcher runs (EventBridge's schedule: every 60 s, as deployed).
   */
  notifications?: {
    delaySeconds?: number;
    minGapSeconds?: number;
    retrySeconds?: number;
    /** 0: not on a schedule at all (dispatchNotifications runs it). */
    pollSeconds?: number;
  };
  /** Keep data in this folder across restarts; in memory / a throw-away folder when absent. */
  dataDir?: string;
  /** Wipe dataDir first. */
  reset?: boolean;
  /** Reload handlers after an edit under lambdas/ (npm start). */
  watch?: boolean;
  /** One line per request and frame (local/request-log.ts). */
  requestLog?: RequestLog;
  cacheDir?: string;
  idleTimeoutSeconds?: number;
  /** API Gateway's 2-hour maximum connection duration, shortened (tests). */
  maxConnectionSeconds?: number;
  /** Never run $disconnect, as AWS may not (its delivery is best-effort). */
  dropDisconnects?: boolean;
  /** Delay each frame's integration by a random time up to this, so frames of a connection overtake each other. */
  frameJitterMs?: number;
  /** Client addresses the edge's per-address limits skip (lib/edge-limits.ts): a test suite's own client. */
  edgeLimitExemptIps?: string[];
  /** Create or update this admin account at start. */
  admin?: { email: string; password: string; name: string };
  /**
   * Called after every DynamoDB call of every function, with the capacity it consumed (table and
   * each index): `npm run bench` counts each route's requests and units through it.
   */
  onDynamoDbCall?: (call: { operation: string; consumed: ConsumedCapacity[] }) => void;
  log?: (message: string, error?: unknown) => void;
  /** A component died and could not be brought back: the runtime is unusable (npm start exits non-zero). */
  onFatal?: (reason: string) => void;
}

export interface Runtime {
  httpUrl: string;
  wsUrl: string;
  docsUrl: string;
  /** The web app, served at /app on the HTTP API's origin. */
  appUrl: string;
  userPoolId: string;
  clientId: string;
  cognitoEndpoint: string;
  dynamoDbEndpoint: string;
  /** The local mailbox: every e-mail the product sends, readable in a browser (and as JSON at /store). */
  mailboxUrl: string;
  /** The local S3: the attachments' bucket (uploads and downloads go straight to it, as to S3). */
  s3Endpoint: string;
  /** The attachments' bucket. */
  attachmentsBucket: string;
  /** Where its data lives (a throw-away folder when in memory): its credentials and cognito-local's signing key. */
  dataDir: string;
  /** What the local services accept (a tool acting for the runtime, such as the bench's seeder, signs with them). */
  credentials: LocalCredentials;
  /** Runs the notification dispatcher now, as its schedule would (its report: sent, retried, parked). */
  dispatchNotifications(): Promise<unknown>;
  stop(): Promise<void>;
}

export class PortInUseError extends StartupError {}

/** How long a component may take to answer /health's probe before it counts as hung. */
const PROBE_MS = 1000;

/**
 * The components that are running but don't answer (stopped with SIGSTOP, a JVM in a long pause,
 * a deadlock): a process that lives says nothing about whether it serves. Any HTTP answer counts.
 */
async function hung(components: { name: string; endpoint: string; probePath: string }[], dead: Set<string>) {
  const answers = await Promise.all(
    components
      .filter((component) => !dead.has(component.name))
      .map(async (component) => {
        try {
          const response = await fetch(`${component.endpoint}${component.probePath}`, {
            signal: AbortSignal.timeout(PROBE_MS),
          });
          await response.body?.cancel();
          return undefined;
        } catch {
          return `${component.name} (no answer within ${PROBE_MS} ms)`;
        }
      }),
  );
  return answers.filter((name): name is string => name !== undefined);
}

/**
 * Fails with one clear line when a port is taken; 0 picks a free one. The port stays held until
 * `release()`, called just before its user binds it, so a runtime starting alongside can't pick it.
 * A client that connects meanwhile (a browser tab, a script polling /health) is dropped at once:
 * a connection left open would keep the probe from closing, and the start would hang.
 */
async function claimPort(port: number, variable: string): Promise<{ port: number; release: () => Promise<void> }> {
  const probe = createTcpServer((socket) => socket.destroy());
  try {
    probe.listen(port, '127.0.0.1');
    await once(probe, 'listening');
  } catch (error) {
    probe.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError(`Port ${port} (${variable}) is already in use: stop what holds it or set ${variable}.`);
    }
    throw error;
  }
  const address = probe.address();
  let released: Promise<void> | undefined;
  return {
    port: typeof address === 'object' && address ? address.port : port,
    release: () => (released ??= new Promise((resolveRelease) => probe.close(() => resolveRelease()))),
  };
}

async function listen(server: Server, port: number): Promise<void> {
  server.listen(port, '127.0.0.1');
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
}

export function localTableName(key: string): string {
  return `order-chat-local-${key}`;
}

export class DataFolderInUseError extends StartupError {}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const LOCK_FILE = 'runtime.lock';

/**
 * One runtime per data folder: a second would corrupt the first one's tables and users. The lock
 * names its holder; a lock whose process is gone (killed outright) is taken over.
 */
function lockDataFolder(dataDir: string): { describe: (urls: object) => void; release: () => void } {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, LOCK_FILE);
  const write = (holder: object, flag: 'wx' | 'w') =>
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), ...holder }), {
      flag,
    });
  try {
    write({}, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    let holder: { pid?: number; startedAt?: string; httpUrl?: string } = {};
    try {
      holder = JSON.parse(readFileSync(lockFile, 'utf8'));
    } catch {
      // unreadable: treat as stale
    }
    if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new DataFolderInUseError(
        `${dataDir} is in use by another npm start (pid ${holder.pid}, since ${holder.startedAt}` +
          `${holder.httpUrl ? `, ${holder.httpUrl}` : ''}): stop it, or give this one its own folder with ` +
          'LOCAL_DATA_DIR=… (or --in-memory).',
      );
    }
    write({}, 'w');
  }
  const release = removeOnExit(lockFile);
  return { describe: (urls) => write(urls, 'w'), release };
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const cacheDir = options.cacheDir ?? join(projectRoot, '.cache');
  // In memory: a folder of its own for cognito-local, removed when the runtime goes, however it goes.
  const dataDir = options.dataDir ?? join(cacheDir, `ephemeral-${process.pid}-${Date.now()}`);
  const lock = options.dataDir ? lockDataFolder(dataDir) : undefined;
  if (options.reset && options.dataDir) {
    for (const entry of readdirSync(dataDir)) {
      if (entry !== LOCK_FILE) rmSync(join(dataDir, entry), { recursive: true, force: true });
    }
  }
  const forgetEphemeral = options.dataDir ? undefined : removeOnExit(dataDir);
  mkdirSync(dataDir, { recursive: true });
  // What the in-process functions sign with, and all that the local services accept (credentials.ts).
  const LOCAL_CREDENTIALS = runtimeCredentials(options.dataDir);
  type PortClaim = Awaited<ReturnType<typeof claimPort>>;
  const claims: PortClaim[] = [];
  try {
    const requested = [
      [options.port, 'PORT'],
      [options.wsPort, 'WS_PORT'],
      [options.dynamoDbPort, 'DYNAMODB_PORT'],
      [options.cognitoPort, 'COGNITO_PORT'],
      [options.mailboxPort ?? 0, 'MAILBOX_PORT'],
      [options.s3Port ?? 0, 'S3_PORT'],
    ] as const;
    for (const [wanted, variable] of requested) claims.push(await claimPort(wanted, variable));
  } catch (error) {
    await Promise.all(claims.map((c) => c.release()));
    lock?.release();
    forgetEphemeral?.();
    throw error;
  }
  const [httpClaim, wsClaim, dynamoDbClaim, cognitoClaim, mailboxClaim, s3Claim] = claims as [
    PortClaim,
    PortClaim,
    PortClaim,
    PortClaim,
    PortClaim,
    PortClaim,
  ];
  const [port, wsPort, dynamoDbPort, cognitoPort] = [
    httpClaim.port,
    wsClaim.port,
    dynamoDbClaim.port,
    cognitoClaim.port,
  ];

  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    await Promise.all(claims.map((c) => c.release()));
    forgetEphemeral?.();
    lock?.release();
  };
  const log = options.log ?? ((message: string, error?: unknown) => console.error(message, error ?? ''));
  /** Components that died and are being restarted: /health answers 503 naming them meanwhile. */
  const down = new Set<string>();

  /**
   * Restarts a child that dies (a crash, an OOM kill, someone's `kill`), logging it;
   * one that dies more than 3 times in a minute stops the runtime instead.
   */
  const supervise = (name: string, started: { child: Child }, restart: () => Promise<{ child: Child }>) => {
    let current = started.child;
    const deaths: number[] = [];
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (stopping) return;
      down.add(name);
      deaths.push(Date.now());
      while (deaths[0]! < Date.now() - 60_000) deaths.shift();
      log(`${name} exited (${signal ?? `code ${code}`}): restarting it. Last output:\n${current.output()}`);
      if (deaths.length > 3) {
        options.onFatal?.(`${name} died ${deaths.length} times within a minute`);
        return;
      }
      restart().then(
        (next) => {
          current = next.child;
          current.process.once('exit', onExit);
          down.delete(name);
          log(`${name} is back.`);
        },
        (error: unknown) => options.onFatal?.(`${name} could not be restarted: ${(error as Error).message}`),
      );
    };
    current.process.once('exit', onExit);
    stops.push(() => current.stop());
  };

  try {
    const startDynamo = async () => {
      await dynamoDbClaim.release();
      const started = await startDynamoDbLocal({
        cacheDir,
        port: dynamoDbPort,
        ...(options.dataDir ? { dbPath: join(dataDir, 'dynamodb') } : {}),
      });
      await createTables(started.endpoint, tables, localTableName, LOCAL_CREDENTIALS);
      return started;
    };
    // First: Cognito's e-mails go there.
    await mailboxClaim.release();
    const mailbox = options.mailboxUrl
      ? { url: options.mailboxUrl, stop: async () => undefined }
      : await startMailbox(mailboxClaim.port);
    stops.push(() => mailbox.stop());
    const startCognito = async () => {
      await cognitoClaim.release();
      const started = await startCognitoLocal({
        port: cognitoPort,
        dataDir: join(dataDir, 'cognito'),
        credentials: LOCAL_CREDENTIALS,
        sesEndpoint: mailbox.url,
      });
      return { ...started, pool: await provisionUserPool(started.endpoint, LOCAL_CREDENTIALS) };
    };
    const [dynamo, cognitoLocal] = await Promise.all([startDynamo(), startCognito()]);
    const pool = cognitoLocal.pool;
    supervise('DynamoDB Local', dynamo, async () => {
      if (!options.dataDir) log('DynamoDB Local ran in memory: the data it held is gone.');
      return startDynamo();
    });
    supervise('cognito-local', cognitoLocal, startCognito);
    const probes = [
      { name: 'DynamoDB Local', endpoint: dynamo.endpoint, probePath: '/' },
      { name: 'cognito-local', endpoint: cognitoLocal.endpoint, probePath: '/health' },
    ];

    const local = stages.local;
    // The web app's origins, by either name of the loopback address: its uploads come from there.
    const appOrigins = [...local.corsOrigins, `http://localhost:${port}`, `http://127.0.0.1:${port}`];
    await s3Claim.release();
    const s3 = await startLocalS3({
      port: s3Claim.port,
      bucket: ATTACHMENTS_BUCKET,
      credentials: LOCAL_CREDENTIALS,
      allowOrigins: appOrigins,
      ...(options.dataDir ? { dataDir: join(dataDir, 's3') } : {}),
      // As EventBridge delivers S3's event to the check function (lib/constructs/attachments.ts).
      onObjectCreated: async (object) => {
        await invoke(
          loader,
          'jobs/check-attachment',
          objectCreatedEvent(object),
          timeoutOf('jobs/check-attachment') * 1000,
          functionGrants('jobs/check-attachment'),
        );
      },
      log,
    });
    stops.push(() => s3.stop());
    // What the stack gives the functions, pointed at the local components.
    Object.assign(process.env, {
      ...localAwsEnvironment(LOCAL_CREDENTIALS),
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoLocal.endpoint,
      AWS_ENDPOINT_URL_SESV2: mailbox.url,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      ATTACHMENTS_BUCKET,
      ATTACHMENT_MAX_BYTES: String(local.attachments.maxBytes),
      ATTACHMENT_RETENTION_DAYS: String(local.attachments.retentionDays),
      // What lib/ gives a function that e-mails people, with the stage's sender.
      EMAIL_FROM: LOCAL_EMAIL_FROM,
      USER_POOL_ID: pool.userPoolId,
      USER_POOL_CLIENT_ID: pool.clientId,
      WS_CALLBACK_URL: `http://127.0.0.1:${wsPort}/${WS_STAGE}`,
      // Cursors signed with it stop working at the next start, like after a key rotation.
      CURSOR_SECRET: randomBytes(32).toString('base64url'),
      // Kept with the data: an e-mail's unsubscribe link works after a restart.
      UNSUBSCRIBE_SECRET: createHmac('sha256', LOCAL_CREDENTIALS.secretAccessKey)
        .update('unsubscribe links')
        .digest('base64url'),
      NOTIFY_DELAY_SECONDS: String(options.notifications?.delaySeconds ?? local.notifications.delaySeconds),
      NOTIFY_GAP_SECONDS: String(options.notifications?.minGapSeconds ?? local.notifications.minGapSeconds),
      NOTIFY_RETRY_SECONDS: String(options.notifications?.retrySeconds ?? local.notifications.retrySeconds),
      // The links of the e-mails: the web app on this gateway.
      APP_URL: `http://localhost:${port}${APP_PATH}/`,
      POWERTOOLS_SERVICE_NAME: local.serviceName,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? local.logLevel,
      ...Object.fromEntries(Object.entries(tables).map(([key, table]) => [table.envVar, localTableName(key)])),
    });
    delete process.env.AWS_PROFILE;

    if (options.admin) {
      const { ensureAdmin } = await import('#lambdas/users/ensure-admin.ts');
      await ensureAdmin(options.admin);
    }

    // Each function's AWS clients are module singletons of its own (lambda-runner.ts): guard them,
    // as each function loads, with each invocation's own IAM grants.
    const tableKey = (name: string) => Object.keys(tables).find((key) => localTableName(key) === name);
    const loader = cachedLoader({
      watch: options.watch ?? false,
      log,
      onLoad: async (importOwn) => {
        const [dynamo, cognito, connections, ses, s3Client] = (await Promise.all([
          importOwn('shared/dynamo-client.ts'),
          importOwn('shared/cognito-client.ts'),
          importOwn('shared/connections-client.ts'),
          importOwn('shared/ses-client.ts'),
          importOwn('shared/s3-client.ts'),
        ])) as [
          typeof import('#lambdas/shared/dynamo-client.ts'),
          typeof import('#lambdas/shared/cognito-client.ts'),
          typeof import('#lambdas/shared/connections-client.ts'),
          typeof import('#lambdas/shared/ses-client.ts'),
          typeof import('#lambdas/shared/s3-client.ts'),
        ];
        enforcePermissions(dynamo.dynamoRaw(), 'dynamodb', tableKey);
        if (options.onDynamoDbCall) meterCapacity(dynamo.dynamoRaw(), options.onDynamoDbCall);
        enforcePermissions(cognito.cognito(), 'cognito', tableKey);
        enforcePermissions(connections.connectionsApi(process.env.WS_CALLBACK_URL!), 'connections', tableKey);
        enforcePermissions(ses.ses(), 'ses', tableKey);
        enforcePermissions(s3Client.s3(), 's3', tableKey);
      },
    });
    stops.push(async () => loader.close());
    const authorizer = await createJwtAuthorizer({ issuer: pool.issuer, audience: [pool.clientId] });
    const http = createHttpGateway({
      routes: withFunctionSettings(httpRoutes),
      loader,
      authorizer,
      throttle: local.throttle,
      edgeLimits: edgeRateLimit(EDGE_LIMITS, options.edgeLimitExemptIps),
      cors: {
        allowOrigins: local.corsOrigins,
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        allowHeaders: [...httpCors.allowHeaders],
        exposeHeaders: [...httpCors.exposeHeaders],
        maxAgeSeconds: httpCors.maxAgeSeconds,
      },
      componentsDown: async () => [...down, ...(await hung(probes, down))],
      staticSite: webApp({
        webSocketPort: wsPort,
        webSocketStage: WS_STAGE,
        attachmentsOrigin: s3.endpoint,
        watch: options.watch ?? false,
        log,
      }),
      log,
      ...(options.requestLog ? { requestLog: options.requestLog } : {}),
    });
    const ws = createWsGateway({
      stage: WS_STAGE,
      routes: withFunctionSettings(wsRoutes),
      authorizer: { ...wsAuthorizer, ...functionSettings(wsAuthorizer.handler) },
      loader,
      throttle: local.throttle,
      // The web app at /app is on the HTTP API's origin, by either name of the loopback address.
      allowOrigins: appOrigins,
      managementCredentials: LOCAL_CREDENTIALS,
      ...(options.idleTimeoutSeconds ? { idleTimeoutMs: options.idleTimeoutSeconds * 1000 } : {}),
      ...(options.maxConnectionSeconds ? { maxConnectionMs: options.maxConnectionSeconds * 1000 } : {}),
      ...(options.dropDisconnects ? { dropDisconnects: true } : {}),
      ...(options.frameJitterMs ? { frameJitterMs: options.frameJitterMs } : {}),
      log,
      ...(options.requestLog ? { requestLog: options.requestLog } : {}),
    });
    await httpClaim.release();
    await listen(http, port);
    stops.push(() => new Promise((r) => http.close(() => r())));
    http.closeIdleConnections?.();
    await wsClaim.release();
    await listen(ws.server, wsPort);
    stops.push(
      () =>
        new Promise((r) => {
          ws.server.close(() => r());
          ws.server.closeAllConnections();
          // A browser left open keeps its socket (and would reconnect): the server would wait for it.
          ws.terminateAll();
        }),
    );

    // As after a deploy: what data from an earlier release lacks is filled in (once; then one read).
    await invoke(loader, 'jobs/backfill', {}, timeoutOf('jobs/backfill') * 1000, functionGrants('jobs/backfill'));

    const notifier = startSchedule({
      loader,
      handler: 'jobs/notify',
      everyMs: (options.notifications?.pollSeconds ?? NOTIFY_SCHEDULE_SECONDS) * 1000,
      timeoutMs: timeoutOf('jobs/notify') * 1000,
      permissions: functionGrants('jobs/notify'),
      log,
    });
    stops.push(() => notifier.stop());

    lock?.describe({ httpUrl: `http://localhost:${port}`, wsUrl: `ws://localhost:${wsPort}/${WS_STAGE}` });
    return {
      httpUrl: `http://localhost:${port}`,
      wsUrl: `ws://localhost:${wsPort}/${WS_STAGE}`,
      docsUrl: `http://localhost:${port}/docs`,
      appUrl: `http://localhost:${port}${APP_PATH}/`,
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
      cognitoEndpoint: cognitoLocal.endpoint,
      dynamoDbEndpoint: dynamo.endpoint,
      mailboxUrl: mailbox.url,
      s3Endpoint: s3.endpoint,
      attachmentsBucket: ATTACHMENTS_BUCKET,
      credentials: LOCAL_CREDENTIALS,
      dataDir,
      dispatchNotifications: () => notifier.runNow(),
      stop: async () => {
        http.closeAllConnections();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
