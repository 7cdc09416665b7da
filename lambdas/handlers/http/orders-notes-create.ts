import { POST_orders_id_notes } from '../../generated/routes.ts';
import { addNote } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(POST_orders_id_notes, async ({ caller, params, body }) => ({
  status: 201,
  body: await addNote(caller, params.id, body.text),
}));
