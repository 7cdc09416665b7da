/** A connection's end: idle timeouts, closes by the gateway, and the $disconnect that follows every close. */
import type { GatewayState, LiveConnection } from './state.ts';
import { requestContext, WS_MAX_MESSAGE_BYTES } from './state.ts';

export function closeWith(connection: LiveConnection, code: number, reason: string): void {
  connection.closeCode ??= code;
  connection.socket.close(code, reason);
}

/**
 * What a client that doesn't read may have queued before its connection is dropped. API Gateway
 * buffers little for a connection and drops one whose TCP window stays shut, as any server must;
 * here an unread queue would grow in this one process until it ran out of memory.
 */
export const SLOW_READER_BYTES = 1024 * 1024;

/**
 * Sends one message to a connection. A message over 128 KB is never delivered (API Gateway
 * delivers none: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html) and is
 * logged as the product's bug it is; a connection whose unread queue passes SLOW_READER_BYTES is
 * closed (1008), and what it would have got is lost, as on any dropped connection.
 */
export function deliver(state: GatewayState, connection: LiveConnection, text: string, what: string): boolean {
  const bytes = Buffer.byteLength(text);
  if (bytes > WS_MAX_MESSAGE_BYTES) {
    state.log(`Refused to deliver ${what} of ${bytes} bytes: API Gateway delivers no WebSocket message over 128 KB.`);
    return false;
  }
  if (connection.socket.bufferedAmount + bytes > SLOW_READER_BYTES) {
    state.log(`Closed a connection that stopped reading (${connection.socket.bufferedAmount} bytes unread).`);
    closeWith(connection, 1008, 'Slow reader');
    connection.socket.terminate();
    return false;
  }
  connection.socket.send(text);
  return true;
}

/** API Gateway's maximum connection duration is 2 hours, then it closes the connection (1001). */
export const MAX_CONNECTION_MS = 2 * 3600 * 1000;

export function armMaxAgeTimer(state: GatewayState, connection: LiveConnection): void {
  connection.maxAgeTimer = setTimeout(
    () => closeWith(connection, 1001, 'Going away'),
    state.options.maxConnectionMs ?? MAX_CONNECTION_MS,
  );
}

/** (Re)starts the idle clock: API Gateway closes a connection quiet for the idle timeout with 1001. */
export function armIdleTimer(state: GatewayState, connection: LiveConnection): void {
  clearTimeout(connection.idleTimer);
  connection.idleTimer = setTimeout(() => closeWith(connection, 1001, 'Going away'), state.idleTimeoutMs);
}

/** Forgets the connection and runs $disconnect, clean close or not. */
export async function disconnected(
  state: GatewayState,
  connectionId: string,
  connection: LiveConnection,
  code: number,
  reason: string,
  host: string,
): Promise<void> {
  clearTimeout(connection.idleTimer);
  clearTimeout(connection.maxAgeTimer);
  state.connections.delete(connectionId);
  const route = state.options.routes.$disconnect;
  if (!route) return;
  if (state.options.dropDisconnects) {
    state.log(`Dropped the $disconnect of ${connectionId} (best-effort in AWS; LOCAL_WS_DROP_DISCONNECT is on).`);
    return;
  }
  const event = {
    headers: { Host: host, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
    multiValueHeaders: { Host: [host], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] },
    requestContext: {
      ...requestContext(state, connectionId, connection, '$disconnect', 'DISCONNECT', host),
      disconnectStatusCode: connection.closeCode ?? code,
      disconnectReason: reason,
    },
    isBase64Encoded: false,
  };
  try {
    await state.run(route, event);
  } catch (error) {
    state.log('WebSocket $disconnect failed', error);
  }
}
