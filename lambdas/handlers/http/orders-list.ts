import { GET_orders } from '../../generated/routes.ts';
import { withUnread } from '../../chat/service.ts';
import { listOrders, staffDetailsLookup } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';
import { withCustomerId } from '../../users/service.ts';

export const handler = httpHandler(GET_orders, async ({ caller, query }) => {
  const page = await listOrders(caller, await withCustomerId(query));
  // Admins see who placed each order and who handles it, read in the same BatchGetItem.
  return {
    status: 200,
    body: await withUnread(caller, page, caller.role === 'ADMIN' ? staffDetailsLookup(page.items) : undefined),
  };
});
