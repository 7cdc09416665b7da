import { join } from '../../chat/service.ts';
import { JoinRoomFrame } from '../../schemas/chat.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler('joinRoom', JoinRoomFrame, ({ identity, connectionId, frame }) =>
  join(identity, connectionId, frame.roomId, frame.after),
);
