import { ws_leaveRoom } from '../../generated/routes.ts';
import { leave } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_leaveRoom, ({ connectionId, frame, receivedAt }) =>
  leave(connectionId, frame.roomId, receivedAt),
);
