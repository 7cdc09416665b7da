// Primary adapter: $connect stores who is behind the new connection.
import { saveConnection } from '../../chat/connections-repository.ts';
import { callerFromWsEvent, type WsEvent } from '../../shared/ws.ts';

export const handler = async (event: WsEvent) => {
  const caller = callerFromWsEvent(event);
  await saveConnection({
    connectionId: event.requestContext.connectionId,
    userId: caller.id,
    role: caller.role,
    connectedAt: new Date(event.requestContext.connectedAt).toISOString(),
  });
  return { statusCode: 200 };
};
