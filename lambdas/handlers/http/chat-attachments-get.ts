import { GET_chat_rooms_roomId_attachments_attachmentId } from '../../generated/routes.ts';
import { openAttachment } from '../../chat/attachments.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_chat_rooms_roomId_attachments_attachmentId, async ({ caller, params }) => ({
  status: 200,
  body: await openAttachment(caller, params.roomId, params.attachmentId),
}));
