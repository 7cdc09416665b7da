import { ws_markRead } from '../../generated/routes.ts';
import { markRead } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_markRead, ({ caller, frame }) => markRead(caller, frame));
