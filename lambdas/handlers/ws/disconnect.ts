// Primary adapter: $disconnect forgets the connection (TTL sweeps any that never say goodbye), and
// the rooms it was in hear who is left.
import { deleteConnection } from '../../chat/connections-repository.ts';
import { tellPresence } from '../../chat/presence.ts';
import type { WsEvent } from '../../shared/ws.ts';

export const handler = async (event: WsEvent) => {
  const rooms = await deleteConnection(event.requestContext.connectionId);
  await Promise.all(rooms.map((roomId) => tellPresence(roomId)));
  return { statusCode: 200 };
};
