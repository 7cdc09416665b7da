import { join } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler('joinRoom', ({ member, session, connectionId, frame }) =>
  join(member, { connectionId, sessionExpiresAt: session.expiresAt }, frame.roomId, frame.after),
);
