// Primary adapter: $disconnect forgets the connection (TTL sweeps any that never say goodbye).
import { deleteConnection } from '../../chat/connections-repository.ts';
import type { WsEvent } from '../../shared/ws.ts';

export const handler = async (event: WsEvent) => {
  await deleteConnection(event.requestContext.connectionId);
  return { statusCode: 200 };
};
