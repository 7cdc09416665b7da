// Primary adapter: $disconnect forgets the connection (TTL sweeps any that never say goodbye), and
// the rooms it was in hear who is left.
import { deleteConnection } from '../../chat/connections-repository.ts';
import { tellPresence } from '../../chat/presence.ts';
import { isListChannel } from '../../chat/order-lists.ts';
import type { WsEvent } from '../../shared/ws.ts';

export const handler = async (event: WsEvent) => {
  const { connectionId } = event.requestContext;
  const rooms = await deleteConnection(connectionId);
  // $disconnect carries the authorizer's context: whose connection it was.
  const userId = event.requestContext.authorizer?.userId;
  if (userId) {
    const chatRooms = rooms.filter((roomId) => !isListChannel(roomId));
    await Promise.all(chatRooms.map((roomId) => tellPresence(roomId, { userId, connectionId, joined: false })));
  }
  return { statusCode: 200 };
};
