import { ws_sendMessage } from '../../generated/routes.ts';
import { sendMessage } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler(ws_sendMessage, async ({ caller, connectionId, frame, context }) =>
  sendMessage(caller, connectionId, frame, context.getRemainingTimeInMillis()),
);
