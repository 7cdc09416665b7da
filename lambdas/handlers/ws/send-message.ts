import { sendMessage } from '../../chat/service.ts';
import { SendMessageFrame } from '../../schemas/chat.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler('sendMessage', SendMessageFrame, async ({ member, connectionId, frame, context }) =>
  sendMessage(member, connectionId, frame, context.getRemainingTimeInMillis()),
);
