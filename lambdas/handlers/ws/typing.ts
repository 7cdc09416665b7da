import { ws_typing } from '../../generated/routes.ts';
import { typing } from '../../chat/presence.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_typing, ({ caller, connectionId, frame }) =>
  typing(caller, connectionId, frame.roomId),
);
