import { issueTicket } from '../../chat/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('POST /chat/tickets', async ({ caller }) => ({
  status: 201,
  body: await issueTicket(caller),
}));
