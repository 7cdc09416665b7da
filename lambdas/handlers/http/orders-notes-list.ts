import { GET_orders_id_notes } from '../../generated/routes.ts';
import { listNotes } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler(GET_orders_id_notes, async ({ caller, params, query }) => ({
  status: 200,
  body: await listNotes(caller, params.id, query),
}));
