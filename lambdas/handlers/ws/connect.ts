// Primary adapter: $connect stores who is behind the new connection.
import { saveConnection } from '../../chat/connections-repository.ts';
import { identityFromWsEvent, type WsEvent } from '../../shared/ws.ts';

export const handler = async (event: WsEvent) => {
  const identity = identityFromWsEvent(event);
  await saveConnection({
    connectionId: event.requestContext.connectionId,
    userId: identity.id,
    role: identity.role,
    connectedAt: new Date(event.requestContext.connectedAt).toISOString(),
  });
  return { statusCode: 200 };
};
