import { sendMessage } from '../../chat/service.ts';
import { SendMessageFrame } from '../../schemas/chat.ts';
import { wsHandler } from '../../shared/ws.ts';

export const handler = wsHandler('sendMessage', SendMessageFrame, async ({ identity, connectionId, frame }) => {
  await sendMessage(identity, connectionId, frame);
});
