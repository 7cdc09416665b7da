// Primary adapter: $connect stores who is behind the new connection, and with which session.
import { saveConnection } from '../../chat/connections-repository.ts';
import { memberAtConnect, sessionOfConnection, type WsEvent } from '../../shared/ws.ts';

export const handler = async (event: WsEvent) => {
  const member = memberAtConnect(event);
  const session = sessionOfConnection(event);
  await saveConnection({
    connectionId: event.requestContext.connectionId,
    userId: member.id,
    role: member.role,
    connectedAt: new Date(event.requestContext.connectedAt).toISOString(),
    sessionId: session.id,
    sessionExpiresAt: session.expiresAt,
  });
  return { statusCode: 200 };
};
