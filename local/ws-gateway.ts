/**
 * Local API Gateway, WebSocket API, plus its @connections management endpoint on the same
 * port. Shapes and limits follow API Gateway's documentation of WebSocket APIs. In parts, under
 * local/ws-gateway/: the upgrade ($connect's authorizer and route, upgrade.ts), frame routing
 * on `$request.body.action` (frames.ts), @connections (connections-api.ts), and a
 * connection's end: idle timeouts and the $disconnect that follows every close (lifecycle.ts).
 */
import { createServer, type Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { connectionsApi } from './ws-gateway/connections-api.ts';
import { frameInbox } from './ws-gateway/frames.ts';
import { armIdleTimer, armMaxAgeTimer, disconnected } from './ws-gateway/lifecycle.ts';
import { gatewayState, WS_MAX_FRAME_BYTES, type LiveConnection, type WsGatewayOptions } from './ws-gateway/state.ts';
import { acceptUpgrade, rejectUpgrade } from './ws-gateway/upgrade.ts';

export type { WsGatewayOptions } from './ws-gateway/state.ts';

export interface WsGateway {
  server: Server;
  /** Number of open connections (for tests and diagnostics). */
  connectionCount(): number;
  /** Ends every open connection (stopping: a browser left open would hold the server). */
  terminateAll(): void;
}

export function createWsGateway(options: WsGatewayOptions): WsGateway {
  const state = gatewayState(options);
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES });
  const server = createServer(connectionsApi(state));

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const open = async () => {
      const accepted = await acceptUpgrade(state, req, socket);
      if (!accepted) return;
      const { connectionId, host } = accepted;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const connection: LiveConnection = { ...accepted.connection, socket: ws, lastActiveAt: Date.now() };
        state.connections.set(connectionId, connection);
        armIdleTimer(state, connection);
        armMaxAgeTimer(state, connection);
        ws.on('message', frameInbox(state, connectionId, connection, host));
        // 'close' follows and runs $disconnect; a frame over the limit is closed with 1009 by ws itself.
        ws.on('error', (error: Error & { code?: string }) => {
          if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') connection.closeCode ??= 1009;
        });
        ws.on('close', (code, reason) => {
          disconnected(state, connectionId, connection, code, reason.toString(), host).catch((error: unknown) =>
            state.log('WebSocket close handling failed', error),
          );
        });
      });
    };
    open().catch((error: unknown) => {
      state.log('WebSocket upgrade failed', error);
      rejectUpgrade(socket, 500, 'Internal Server Error');
    });
  });
  // Upgraded sockets are the WebSocket server's, not the HTTP server's: closing it waits for them.
  const terminateAll = () => {
    for (const live of state.connections.values()) live.socket.terminate();
  };
  server.on('close', terminateAll);
  return { server, connectionCount: () => state.connections.size, terminateAll };
}
