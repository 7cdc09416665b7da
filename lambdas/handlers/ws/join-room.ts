import { ws_joinRoom } from '../../generated/routes.ts';
import { join } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_joinRoom, ({ caller, session, connectionId, frame, receivedAt }) =>
  join(caller, { connectionId, sessionExpiresAt: session.expiresAt }, frame.roomId, frame.after, receivedAt),
);
