import { GET_orders } from '../../generated/routes.ts';
import { withUnread } from '../../chat/service.ts';
import { listOrders, staffDetailsLookup } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';
import { accountIdOf } from '../../users/service.ts';

export const handler = httpHandler(GET_orders, async ({ caller, query }) => {
  const { customerEmail, ...filters } = query;
  const customerId = customerEmail === undefined ? filters.customerId : await accountIdOf(customerEmail);
  const page = await listOrders(caller, { ...filters, customerId });
  // Admins see who placed each order and who handles it, read in the same BatchGetItem.
  return {
    status: 200,
    body: await withUnread(caller, page, caller.role === 'ADMIN' ? staffDetailsLookup(page.items) : undefined),
  };
});
