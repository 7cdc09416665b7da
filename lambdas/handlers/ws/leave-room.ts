import { leave } from '../../chat/service.ts';
import { LeaveRoomFrame } from '../../schemas/chat.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler('leaveRoom', LeaveRoomFrame, ({ connectionId, frame }) =>
  leave(connectionId, frame.roomId),
);
