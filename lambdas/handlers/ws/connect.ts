// Primary adapter: $connect stores who is behind the new connection, and with which session.
import { saveConnection } from '../../chat/connections-repository.ts';
import { callerAtConnect, sessionOfConnection, type WsEvent } from '../../shared/ws.ts';

export const handler = async (event: WsEvent) => {
  const caller = callerAtConnect(event);
  const session = sessionOfConnection(event);
  await saveConnection({
    connectionId: event.requestContext.connectionId,
    userId: caller.id,
    role: caller.role,
    connectedAt: new Date(event.requestContext.connectedAt).toISOString(),
    sessionId: session.id,
    sessionExpiresAt: session.expiresAt,
  });
  return { statusCode: 200 };
};
