/**
 * Every DynamoDB table, declared once. The CDK data stack creates them from
 * this, the local runtime creates them in DynamoDB Local from this, and each
 * function finds its table name in `envVar`.
 */
export interface IndexDefinition {
  partitionKey: string;
  sortKey?: string;
  /** The only attributes (besides the keys) the index holds (none: keys only); without it, every attribute. */
  projection?: readonly string[];
}

/**
 * What a list of orders shows, and all that the order list indexes hold: an order's
 * specifications and metadata (up to 16 KB each) are read from the order itself. An update that
 * changes none of these writes no index entry.
 */
export const ORDER_LIST_ATTRIBUTES = [
  'id',
  'userId',
  'description',
  'quantity',
  'status',
  'createdAt',
  'roomOpen',
] as const;

export interface TableDefinition {
  /** Environment variable that carries the physical table name. */
  envVar: string;
  partitionKey: string;
  sortKey?: string;
  indexes: Record<string, IndexDefinition>;
  ttlAttribute?: string;
  /**
   * Every item expires within hours (connections, idempotency records): nothing to restore,
   * so no point-in-time recovery (a cost without value).
   */
  shortLived?: boolean;
}

export const tables = {
  /** Users, orders, order history, chat rooms and messages (single-table design). */
  main: {
    envVar: 'MAIN_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    // Every list is one Query on one of these, newest first (sort keys are `<createdAt>#<id>`).
    // Orders carry four; a status change moves them between the status partitions of two.
    indexes: {
      // All users.
      byCollection: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      // All orders (admins).
      allOrders: { partitionKey: 'gsi5pk', sortKey: 'gsi5sk', projection: ORDER_LIST_ATTRIBUTES },
      // One owner's orders.
      byOwner: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: ORDER_LIST_ATTRIBUTES },
      // One owner's orders in one status: a filter that reads only what it returns (filtering
      // byOwner read one item per order skipped).
      byOwnerStatus: { partitionKey: 'gsi4pk', sortKey: 'gsi4sk', projection: ORDER_LIST_ATTRIBUTES },
      // All orders in one status (admins' status filter).
      byStatus: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: ORDER_LIST_ATTRIBUTES },
      // Rooms waiting for an admin's answer, oldest wait first: only a waiting room's conversation
      // carries the keys (a sparse index).
      inbox: {
        partitionKey: 'gsi6pk',
        sortKey: 'gsi6sk',
        projection: ['roomId', 'customerId', 'customerName', 'waitingSince', 'lastMessage'],
      },
      // Notification e-mails by when they are due (DUE), and those that failed too often (PARKED):
      // only those items carry the keys, so the dispatcher's work is proportional to what is pending.
      // Keys only: a later event on a pending notification (its reasons, its version) writes no index
      // entry; the dispatcher's claim returns the rest.
      pending: { partitionKey: 'gsi7pk', sortKey: 'gsi7sk', projection: [] },
      // Three lookups on one index (CloudFormation adds one index per deploy): orders by the admin
      // handling them (ASSIGNEE#<id>, or ASSIGNEE#NONE), status first in the sort key so
      // "assigned to me, in PROCESSING" is one key condition; waiting rooms by their order's
      // assignee (WAITING#<id> or WAITING#NONE, oldest wait first: the inbox filtered); and users
      // by name (NAMES: an entry of its own beside each profile, the lower-cased name first), for
      // finding a customer by a prefix of it.
      lookup: {
        partitionKey: 'gsi8pk',
        sortKey: 'gsi8sk',
        projection: [
          ...ORDER_LIST_ATTRIBUTES,
          'assigneeId',
          'assigneeName',
          'roomId',
          'customerId',
          'customerName',
          'waitingSince',
          'lastMessage',
        ],
      },
    },
    // WebSocket tickets expire here.
    ttlAttribute: 'expiresAt',
  },
  /** Live WebSocket connections and their room memberships. */
  connections: {
    envVar: 'CONNECTIONS_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    // One user's open connections, to close them when their session ends.
    indexes: {
      byUser: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      // Admins' open connections (only theirs carry the keys): they hear the inbox move.
      admins: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: ['connectionId', 'sessionExpiresAt'] },
    },
    ttlAttribute: 'expiresAt',
    shortLived: true,
  },
  /** Idempotency-Key claims of POST /orders (lambdas/orders/idempotency.ts), kept 24 h. */
  idempotency: {
    envVar: 'IDEMPOTENCY_TABLE_NAME',
    partitionKey: 'id',
    indexes: {},
    ttlAttribute: 'expiration',
    shortLived: true,
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof tables;
