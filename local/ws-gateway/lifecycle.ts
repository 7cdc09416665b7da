/** A connection's end: idle timeouts, closes by the gateway, and the $disconnect that follows every close. */
import type { GatewayState, LiveConnection } from './state.ts';
import { requestContext } from './state.ts';

export function closeWith(connection: LiveConnection, code: number, reason: string): void {
  connection.closeCode ??= code;
  connection.socket.close(code, reason);
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
  state.connections.delete(connectionId);
  const route = state.options.routes.$disconnect;
  if (!route) return;
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
