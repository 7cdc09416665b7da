import { leave } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler('leaveRoom', ({ connectionId, frame }) => leave(connectionId, frame.roomId));
