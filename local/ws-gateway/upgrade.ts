/**
 * The upgrade: the stage path, the origin allow-list, the REQUEST authorizer and the $connect
 * route, in API Gateway's order, before the socket opens. Every refusal answers as API Gateway
 * would and names its reason in the request log.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../aws.ts';
import { gatewayId, originAllowed } from '../gateway-common.ts';
import { requestContext, type ConnectionInfo, type GatewayState } from './state.ts';

export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function multiValue(pairs: [string, string][]) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of pairs) {
    single[key] = value;
    (multi[key] ??= []).push(value);
  }
  return { single, multi };
}

/** What the authorizer and $connect see of the upgrade request. */
interface Upgrade {
  req: IncomingMessage;
  url: URL;
  host: string;
  connectionId: string;
  connection: ConnectionInfo;
  headers: ReturnType<typeof multiValue>;
  query: ReturnType<typeof multiValue>;
}

const connectContext = (state: GatewayState, upgrade: Upgrade) =>
  requestContext(state, upgrade.connectionId, upgrade.connection, '$connect', 'CONNECT', upgrade.host);

type Refusal = { status: number; message: string; reason: string; fn?: string };
type Step = Refusal | undefined;

/** Runs the REQUEST authorizer; on Allow, its principal and context become the connection's. */
async function authorize(state: GatewayState, upgrade: Upgrade): Promise<Step> {
  const authorizer = state.options.authorizer;
  if (!authorizer) return undefined;
  const { req, url } = upgrade;
  // API Gateway refuses without invoking the authorizer when an identity source is missing.
  const missing = authorizer.identitySource.some((source) => {
    const [, , where, name] = source.split('.');
    if (where === 'querystring') return !url.searchParams.get(name ?? '');
    if (where === 'header') return !req.headers[(name ?? '').toLowerCase()];
    return false;
  });
  if (missing) {
    return { status: 401, message: 'Unauthorized', reason: `missing ${authorizer.identitySource.join(' or ')}` };
  }
  const fn = authorizer.handler;
  const event = {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:local/${state.options.stage}/$connect`,
    headers: upgrade.headers.single,
    multiValueHeaders: upgrade.headers.multi,
    queryStringParameters: upgrade.query.single,
    multiValueQueryStringParameters: upgrade.query.multi,
    stageVariables: {},
    requestContext: connectContext(state, upgrade),
  };
  let result: unknown;
  try {
    result = await state.run(authorizer, event);
  } catch (error) {
    if (error instanceof Error && error.message === 'Unauthorized') {
      return { status: 401, message: 'Unauthorized', reason: 'the authorizer refused the credentials', fn };
    }
    state.log('WebSocket authorizer failed', error);
    return {
      status: 500,
      message: 'Internal Server Error',
      reason: `the authorizer failed: ${(error as Error).message}`,
      fn,
    };
  }
  const policy = result as {
    principalId?: string;
    policyDocument?: { Statement?: { Effect?: string }[] };
    context?: Record<string, unknown>;
  };
  const statements = policy?.policyDocument?.Statement;
  if (!policy?.principalId || !Array.isArray(statements) || statements.length === 0) {
    return { status: 500, message: 'Internal Server Error', reason: 'the authorizer returned a malformed policy', fn };
  }
  if (statements.some((s) => s.Effect !== 'Allow')) {
    return { status: 403, message: 'Forbidden', reason: 'the authorizer denied the connection', fn };
  }
  upgrade.connection.authorizer = { principalId: policy.principalId, ...policy.context };
  return undefined;
}

/** Runs the $connect route: anything but a 2xx refuses the connection. */
async function connectRoute(state: GatewayState, upgrade: Upgrade): Promise<Step> {
  const route = state.options.routes.$connect;
  if (!route) return undefined;
  const hasQuery = upgrade.url.search.length > 1;
  const event = {
    headers: upgrade.headers.single,
    multiValueHeaders: upgrade.headers.multi,
    ...(hasQuery
      ? { queryStringParameters: upgrade.query.single, multiValueQueryStringParameters: upgrade.query.multi }
      : {}),
    requestContext: connectContext(state, upgrade),
    isBase64Encoded: false,
  };
  try {
    const result = (await state.run(route, event)) as { statusCode?: number } | undefined;
    const status = result?.statusCode ?? 200;
    if (status < 200 || status > 299) {
      return { status, message: 'Connection refused', reason: `$connect answered ${status}`, fn: route.handler };
    }
  } catch (error) {
    state.log('WebSocket $connect failed', error);
    return {
      status: 502,
      message: 'Bad Gateway',
      reason: `$connect failed: ${(error as Error).message}`,
      fn: route.handler,
    };
  }
  return undefined;
}

/**
 * Decides an upgrade: resolves with the new connection's id and who is behind it, or refuses
 * the upgrade on `socket` and resolves with undefined.
 */
export async function acceptUpgrade(
  state: GatewayState,
  req: IncomingMessage,
  socket: Duplex,
): Promise<{ connectionId: string; connection: ConnectionInfo; host: string } | undefined> {
  const { options } = state;
  const started = performance.now();
  const logConnect = (status: number, extra: { fn?: string; reason?: string } = {}) =>
    options.requestLog?.({ method: 'WS', target: '$connect', status, ms: performance.now() - started, ...extra });
  const refuse = ({ status, message, reason, fn }: Refusal) => {
    logConnect(status, { reason, ...(fn ? { fn } : {}) });
    rejectUpgrade(socket, status, message);
    return undefined;
  };

  const url = new URL(req.url ?? '/', 'http://local');
  if (url.pathname.replace(/\/$/, '') !== `/${options.stage}`) {
    const reason = `no stage at ${url.pathname}: connect to /${options.stage}`;
    return refuse({ status: 403, message: 'Forbidden', reason });
  }
  const headerPairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headerPairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  const upgrade: Upgrade = {
    req,
    url,
    host: req.headers.host ?? 'localhost',
    connectionId: gatewayId(),
    connection: {
      connectedAt: Date.now(),
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
    },
    headers: multiValue(headerPairs),
    query: multiValue([...url.searchParams.entries()]),
  };
  // Deployed, CloudFront's viewer-request function on /ws refuses a browser origin that is neither
  // the site's own nor in the allow-list (lib/constructs/edge.ts) before API Gateway sees the
  // upgrade: here too it comes first, and the ticket stays unspent (it dies within 60 s).
  const origin = req.headers.origin;
  if (origin && options.allowOrigins && !originAllowed(options.allowOrigins, origin)) {
    return refuse({ status: 403, message: 'Forbidden', reason: `origin ${origin} is not in the CORS allow-list` });
  }
  const refusal = (await authorize(state, upgrade)) ?? (await connectRoute(state, upgrade));
  if (refusal) return refuse(refusal);
  const connectFn = options.routes.$connect?.handler;
  logConnect(101, connectFn ? { fn: connectFn } : {});
  return { connectionId: upgrade.connectionId, connection: upgrade.connection, host: upgrade.host };
}
