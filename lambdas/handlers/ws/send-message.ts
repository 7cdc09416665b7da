import { sendMessage } from '../../chat/service.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler('sendMessage', async ({ member, connectionId, frame, context }) =>
  sendMessage(member, connectionId, frame, context.getRemainingTimeInMillis()),
);
