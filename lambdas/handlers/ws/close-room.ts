import { closeRoom } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

// Members (the closer included) hear `roomClosed` through the room's fan-out.
export const handler = wsHandler('closeRoom', async ({ member, frame }) => {
  await closeRoom(member, frame.roomId, frame.summary);
});
