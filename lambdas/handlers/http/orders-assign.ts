import { PUT_orders_id_assignee } from '../../generated/routes.ts';
import { assignmentChanged } from '../../chat/service.ts';
import { assignOrder, etagOf, versionFromIfMatch } from '../../orders/service.ts';
import { httpHandler } from '../../shared/http.ts';
import { assignCandidate } from '../../users/service.ts';

export const handler = httpHandler(PUT_orders_id_assignee, async ({ caller, params, body, declaredHeaders }) => {
  // Null unassigns; an id is whoever has it now (nobody: undefined), for the orders' rule to judge.
  const assignee = body.assigneeId === null ? null : await assignCandidate(body.assigneeId);
  const order = await assignOrder(caller, params.id, assignee, versionFromIfMatch(declaredHeaders['if-match']));
  // Also when nothing changed: a retry finishes what a failure after the order's write left undone.
  await assignmentChanged(order);
  return { status: 200, body: order, headers: { etag: etagOf(order) } };
});
