import { POST_chat_rooms_roomId_attachments } from '../../generated/routes.ts';
import { requestUpload } from '../../chat/attachments.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(POST_chat_rooms_roomId_attachments, async ({ caller, params, body }) => ({
  status: 201,
  body: await requestUpload(caller, params.roomId, body),
}));
