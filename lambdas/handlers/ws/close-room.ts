import { closeRoom } from '../../chat/service.ts';
import { CloseRoomFrame } from '../../schemas/chat.ts';
import { wsHandler } from '../../shared/ws.ts';

// Members (the closer included) hear `roomClosed` through the room's fan-out. The role is
// the one the profile holds now (the chain re-reads it for every frame).
export const handler = wsHandler('closeRoom', CloseRoomFrame, async ({ member, frame }) => {
  await closeRoom(member, frame.roomId, frame.summary);
});
