import { closeRoom } from '../../chat/service.ts';
import { CloseRoomFrame } from '../../schemas/chat.ts';
import { ForbiddenError } from '../../shared/errors.ts';
import { wsHandler } from '../../shared/ws.ts';
import { isStillAdmin } from '../../users/admin-check.ts';

// Members (the closer included) hear `roomClosed` through the room's fan-out.
export const handler = wsHandler('closeRoom', CloseRoomFrame, async ({ identity, frame }) => {
  // The role in the connection's context dates from $connect (up to 2 h ago): re-check it.
  if (identity.role === 'ADMIN' && !(await isStillAdmin(identity))) {
    throw new ForbiddenError('Only admins can close chat rooms');
  }
  await closeRoom(identity, frame.roomId, frame.summary);
});
