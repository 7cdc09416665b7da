import { GET_orders_export } from '../../generated/routes.ts';
import { exportOrders } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';
import { withCustomerId } from '../../users/service.ts';

export const handler = httpHandler(GET_orders_export, async ({ caller, query }) => {
  const part = await exportOrders(caller, await withCustomerId(query));
  const next = part.nextCursor === null ? undefined : nextPartUrl(query, part.nextCursor);
  return {
    status: 200,
    body: part.csv,
    contentType: 'text/csv; charset=utf-8',
    headers: {
      'content-disposition': 'attachment; filename="orders.csv"',
      // RFC 8288: the next part of the same list (its filters, the cursor where it goes on).
      ...(next ? { link: `<${next}>; rel="next"` } : {}),
    },
  };
});

function nextPartUrl(query: Record<string, string | undefined>, cursor: string) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (name !== 'cursor' && value !== undefined) params.set(name, value);
  params.set('cursor', cursor);
  return `/orders/export?${params.toString()}`;
}
