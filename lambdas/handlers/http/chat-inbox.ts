import { GET_chat_inbox } from '../../generated/routes.ts';
import { inbox } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_chat_inbox, async ({ caller, query }) => ({
  status: 200,
  body: await inbox(caller, query),
}));
