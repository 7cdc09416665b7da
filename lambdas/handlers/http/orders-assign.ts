import { PUT_orders_id_assignee } from '../../generated/routes.ts';
import { tellOrderLists } from '../../chat/order-lists.ts';
import { assignOrder, etagOf, versionFromIfMatch } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';
import { assignCandidate } from '../../users/service.ts';

export const handler = httpHandler(PUT_orders_id_assignee, async ({ caller, params, body, declaredHeaders }) => {
  const assignee = body.assigneeId === null ? undefined : await assignCandidate(body.assigneeId);
  const order = await assignOrder(
    caller,
    params.id,
    body.assigneeId === null
      ? undefined
      : (assignee ?? { id: body.assigneeId, name: '', role: 'REGULAR', deleted: true }),
    versionFromIfMatch(declaredHeaders['if-match']),
  );
  await tellOrderLists(order, 'assigned');
  return { status: 200, body: order, headers: { etag: etagOf(order) } };
});
