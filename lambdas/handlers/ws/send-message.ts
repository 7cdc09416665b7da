import { sendMessage } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler('sendMessage', async ({ caller, connectionId, frame, context }) =>
  sendMessage(caller, connectionId, frame, context.getRemainingTimeInMillis()),
);
