import { ws_leaveRoom } from '../../generated/routes.ts';
import { leave } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_leaveRoom, ({ caller, connectionId, frame, receivedAt }) =>
  leave(caller, connectionId, frame.roomId, receivedAt),
);
