import * as z from 'zod';
import { Cursor, Limit, Text } from './common.ts';
import { namedCheck } from './named-checks.ts';
import { ROLES } from '../shared/caller.ts';
import { Email, UserId } from './users.ts';
import { FLOW_STATUSES, MAX_NOTES_PER_ORDER, ORDER_EVENT_TYPES, ORDER_STATUSES } from '../orders/order.ts';

export const OrderStatus = z.enum(ORDER_STATUSES).meta({ id: 'OrderStatus' });

/** ULIDs: 26 Crockford base-32 characters, sortable by creation time. */
export const OrderId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Must be an order id');

/** Any JSON value, named once so the contracts (and the client's types) call it by its name. */
const JsonValue = z.json().meta({ id: 'JsonValue', description: 'Any JSON value' });

/** A JSON object of at most 16 KB serialized, storable as a DynamoDB map. */
const JsonObject = (what: string) => z.record(z.string(), JsonValue).check(namedCheck('storableJsonProblem', what));

const Description = Text(1, 1000);
// The message for a fraction or a string only: out of range says which bound (zod's own words).
const Quantity = z
  .int({ error: (issue) => (issue.code === 'invalid_type' ? 'Must be a whole number' : undefined) })
  .min(1)
  .max(1_000_000);

export const CreateOrderBody = z
  .strictObject({
    description: Description,
    specifications: JsonObject('specifications'),
    quantity: Quantity,
    metadata: JsonObject('metadata').optional(),
  })
  .meta({
    id: 'CreateOrderRequest',
    examples: [
      {
        description: '40 blue widgets',
        specifications: { color: 'blue', size: 'M' },
        quantity: 40,
        metadata: { source: 'web' },
      },
    ],
  });

export const UpdateOrderBody = z
  .strictObject({
    description: Description.optional(),
    specifications: JsonObject('specifications').optional(),
    quantity: Quantity.optional(),
    metadata: JsonObject('metadata').optional(),
  })
  .check(namedCheck('emptyChangeProblem'))
  .meta({ id: 'UpdateOrderRequest' });

export const ChangeStatusBody = z
  .strictObject({
    status: z.enum(FLOW_STATUSES).meta({ description: 'The next status (a cancellation: POST /orders/{id}/cancel)' }),
  })
  .meta({ id: 'ChangeOrderStatusRequest' });

export const CancelOrderBody = z
  .strictObject({ reason: Text(1, 1000).meta({ description: "Why: the room's closing summary, kept in the history" }) })
  .meta({ id: 'CancelOrderRequest' });

const Assignee = z
  .object({ id: z.string(), name: z.string() })
  .meta({ id: 'Assignee', description: 'The admin handling an order (their name when they were assigned)' });

export const Order = z
  .object({
    id: OrderId,
    userId: z.string(),
    description: z.string(),
    specifications: z.record(z.string(), JsonValue),
    quantity: z.int().min(1).max(1_000_000),
    metadata: z.record(z.string(), JsonValue),
    status: OrderStatus,
    version: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    chatRoom: z.object({ id: z.string(), isOpen: z.boolean() }),
    cancellation: z
      .object({ reason: z.string(), at: z.iso.datetime(), by: z.string() })
      .nullable()
      .meta({ description: 'Why, when and by whom it was cancelled; null unless it was' }),
    assignee: Assignee.nullable().meta({ description: 'The admin handling it; null while nobody is' }),
  })
  .meta({
    id: 'Order',
    examples: [
      {
        id: '01JDZ8Q4V3N9W2K7T6R5M4P3X2',
        userId: '3f1c2b8e-9a4d-4c51-8f0e-2d6b7a9c1e55',
        description: '40 blue widgets',
        specifications: { color: 'blue', size: 'M' },
        quantity: 40,
        metadata: { source: 'web' },
        status: 'REVIEW',
        version: 1,
        createdAt: '2026-11-29T12:00:00.000Z',
        updatedAt: '2026-11-29T12:00:00.000Z',
        chatRoom: { id: '01JDZ8Q4V3N9W2K7T6R5M4P3X2', isOpen: true },
        cancellation: null,
        assignee: null,
      },
    ],
  });

export const OrderSummary = Order.pick({
  id: true,
  userId: true,
  description: true,
  quantity: true,
  status: true,
  createdAt: true,
  chatRoom: true,
})
  .extend({
    unread: z.number().int().min(0).meta({ description: "Messages in the order's room the caller has not read" }),
    customer: z
      .object({ id: z.string(), name: z.string(), email: z.string() })
      .nullable()
      .optional()
      .meta({ description: 'Admins: who placed it, as their profile is now (null: the account is gone)' }),
    assignee: Assignee.nullable()
      .optional()
      .meta({ description: 'Admins: the admin handling it; null while nobody is' }),
  })
  .meta({
    id: 'OrderSummary',
    description: 'An order as lists show it: GET /orders/{id} has its specifications, metadata and version',
  });

export const OrderPage = z
  .object({
    items: z.array(OrderSummary),
    nextCursor: z.string().nullable(),
    unreadTotal: z.number().int().min(0).meta({
      description:
        "A customer: the admins' messages they haven't read, across all their orders. An admin: the conversations waiting for an answer (the inbox)",
    }),
  })
  .meta({ id: 'OrderPage' });

/** A day (`2026-12-01`) or an instant; a day as the upper end includes all of it. */
const CreatedBound = z
  .string()
  .regex(
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?Z)?$/,
    'Must be a date (YYYY-MM-DD) or a UTC date-time (YYYY-MM-DDThh:mm:ssZ)',
  );

/** `me`, `none` (nobody) or an admin's id. */
export const AssigneeFilter = z
  .string()
  .regex(
    /^(me|none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i,
    "Must be 'me', 'none' or an admin's id",
  );

/** Every filter an order list takes; which combine is the service's rule (lambdas/orders/service.ts, scopeOf). */
export const OrderFilters = {
  status: OrderStatus.optional(),
  assignee: AssigneeFilter.optional().meta({
    description: 'Admins: orders assigned to `me`, to nobody (`none`) or to the admin with this id',
  }),
  customerId: UserId.optional().meta({ description: 'Admins: one customer’s orders' }),
  customerEmail: Email.optional().meta({ description: 'Admins: the orders of the customer with this address' }),
  createdFrom: CreatedBound.optional().meta({ description: 'Placed at or after (a day: from its start)' }),
  createdTo: CreatedBound.optional().meta({ description: 'Placed at or before (a day: to its end)' }),
};

export const ListOrdersQuery = z.strictObject({
  ...OrderFilters,
  limit: Limit,
  cursor: Cursor.optional(),
});

export const ExportOrdersQuery = z.strictObject({
  ...OrderFilters,
  cursor: Cursor.optional(),
});

export const AssignOrderBody = z
  .strictObject({
    assigneeId: UserId.nullable().meta({ description: "An admin's id (yours to take it), or null to unassign" }),
  })
  .meta({ id: 'AssignOrderRequest' });

export const NoteBody = z.strictObject({ text: Text(1, 4000) }).meta({ id: 'CreateNoteRequest' });
export const Note = z
  .object({
    id: z.string(),
    text: z.string(),
    at: z.iso.datetime(),
    by: z.object({ id: z.string(), name: z.string() }),
  })
  .meta({
    id: 'OrderNote',
    description: `An admin's note on an order, for admins only (at most ${MAX_NOTES_PER_ORDER} an order)`,
  });
export const NotePage = z
  .object({ items: z.array(Note), nextCursor: z.string().nullable() })
  .meta({ id: 'OrderNotePage' });
export const NotesQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
export const OrderIdParams = z.object({ id: OrderId });

export const CreateOrderHeaders = z.object({
  'idempotency-key': z.string().min(1).max(255).optional(),
});
export const UpdateOrderHeaders = z.object({
  'if-match': z
    .string()
    .regex(/^(\*|(W\/)?"\d+")$/, 'Must be an ETag from this API, e.g. "3"')
    .optional(),
});

const FieldChange = z.object({ from: JsonValue.optional(), to: JsonValue.optional() });
export const OrderEvent = z
  .object({
    version: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    type: z.enum(ORDER_EVENT_TYPES),
    at: z.iso.datetime(),
    by: z.object({ id: z.string(), role: z.enum(ROLES) }),
    changes: z.record(z.string(), FieldChange),
  })
  .meta({ id: 'OrderEvent' });
export const OrderHistory = z
  .object({
    items: z.array(OrderEvent),
    /** The version to pass as `before` for the older page; null once the page holds the order's first event. */
    nextCursor: z.int().min(1).nullable(),
  })
  .meta({ id: 'OrderHistory' });

export const HistoryQuery = z.strictObject({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
