/** What every part of the local WebSocket gateway shares: its options, its live connections, and how it runs a route. */
import type { WebSocket } from 'ws';
import {
  gatewayId,
  clfTime,
  integrationTimeoutMs,
  routeThrottle,
  type GatewayRoute,
  type RouteThrottle,
} from '../gateway-common.ts';
import { invoke, type HandlerLoader } from '../lambda-runner.ts';
import type { RequestLog } from '../request-log.ts';

export const WS_MAX_MESSAGE_BYTES = 128 * 1024;
/**
 * API Gateway refuses a frame over 32 KB (and a message over 128 KB) with 1009. `ws`
 * reassembles fragments before we see them, so one limit stands for both: 32 KB,
 * which is all a browser can send anyway (it never fragments what it sends).
 */
export const WS_MAX_FRAME_BYTES = 32 * 1024;
const WS_INTEGRATION_TIMEOUT_MS = 29_000;

export interface WsGatewayRoute extends GatewayRoute {
  /** A route response: the `body` the function returns is sent to the caller as a frame. */
  twoWay?: boolean;
}

export interface WsGatewayOptions {
  stage: string;
  routes: Record<string, WsGatewayRoute>;
  authorizer?: WsGatewayRoute & { identitySource: readonly string[] };
  loader: HandlerLoader;
  idleTimeoutMs?: number;
  /** API Gateway closes every connection after 2 hours; shorter for a test of what follows. */
  maxConnectionMs?: number;
  /**
   * API Gateway's $disconnect is best-effort ("cannot guarantee delivery"): with this on, the
   * gateway never runs it, so what the product does about connections that vanish can be tested.
   */
  dropDisconnects?: boolean;
  throttle?: { rateLimit: number; burstLimit: number };
  /** Each frame waits up to this long before its integration runs: frames overtake each other, as AWS allows. */
  frameJitterMs?: number;
  /** Browser origins allowed to open a socket (the CORS allow-list); clients that send no Origin are not browsers. */
  allowOrigins?: readonly string[];
  /** The credentials @connections requests must be SigV4-signed with; unsigned requests are refused. */
  managementCredentials?: { accessKeyId: string; secretAccessKey: string };
  log?: (message: string, error?: unknown) => void;
  /** One line per upgrade and frame, with the reason for every refusal (local/request-log.ts). */
  requestLog?: RequestLog;
}

/** Who is behind a connection, as $connect established it. */
export interface ConnectionInfo {
  connectedAt: number;
  sourceIp: string;
  userAgent: string;
  authorizer?: Record<string, unknown> | undefined;
}

export interface LiveConnection extends ConnectionInfo {
  socket: WebSocket;
  lastActiveAt: number;
  idleTimer?: NodeJS.Timeout;
  /** Fires at API Gateway's maximum connection duration. */
  maxAgeTimer?: NodeJS.Timeout;
  /** The code the gateway closed with, reported to $disconnect (the peer may echo another). */
  closeCode?: number;
}

export interface GatewayState {
  options: WsGatewayOptions;
  connections: Map<string, LiveConnection>;
  /** The route keys frames are selected among. */
  routeKeys: string[];
  /** The stage throttle, a bucket per route, when configured. */
  throttle: RouteThrottle | undefined;
  idleTimeoutMs: number;
  log: (message: string, error?: unknown) => void;
  run: (route: WsGatewayRoute, event: unknown) => Promise<unknown>;
}

export function gatewayState(options: WsGatewayOptions): GatewayState {
  return {
    options,
    connections: new Map(),
    routeKeys: Object.keys(options.routes),
    throttle: options.throttle ? routeThrottle(options.throttle) : undefined,
    idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
    log: options.log ?? ((message, error) => console.error(message, error ?? '')),
    run: (route, event) =>
      invoke(
        options.loader,
        route.handler,
        event,
        integrationTimeoutMs(route, WS_INTEGRATION_TIMEOUT_MS),
        route.permissions,
      ),
  };
}

/** The requestContext of a WebSocket event (as API Gateway documents it). */
export function requestContext(
  state: GatewayState,
  connectionId: string,
  connection: ConnectionInfo,
  routeKey: string,
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  host: string,
  receivedAt = Date.now(),
) {
  const now = new Date(receivedAt);
  return {
    routeKey,
    eventType,
    extendedRequestId: gatewayId(),
    requestTime: clfTime(now),
    messageDirection: 'IN',
    stage: state.options.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now.getTime(),
    identity: { sourceIp: connection.sourceIp, ...(connection.userAgent ? { userAgent: connection.userAgent } : {}) },
    requestId: gatewayId(),
    domainName: host,
    connectionId,
    apiId: 'local',
    ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
  };
}
