import { POST_chat_tickets } from '../../generated/routes.ts';
import { issueTicket } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(POST_chat_tickets, async ({ session }) => ({
  status: 201,
  body: await issueTicket(session),
}));
