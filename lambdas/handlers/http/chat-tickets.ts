import { issueTicket } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('POST /chat/tickets', async ({ session }) => ({
  status: 201,
  body: await issueTicket(session),
}));
