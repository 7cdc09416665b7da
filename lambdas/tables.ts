/**
 * Every DynamoDB table, declared once. The CDK data stack creates them from
 * this, the local runtime creates them in DynamoDB Local from this, and each
 * function finds its table name in `envVar`.
 */
export interface IndexDefinition {
  partitionKey: string;
  sortKey?: string;
}

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
    // Orders carry all four; a status change moves them between the status partitions.
    indexes: {
      // A whole collection: all users, all orders.
      byCollection: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      // One owner's orders.
      byOwner: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
      // All orders in one status (admins' status filter).
      byStatus: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
      // One owner's orders in one status.
      byOwnerStatus: { partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
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
    indexes: { byUser: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } },
    ttlAttribute: 'expiresAt',
    shortLived: true,
  },
  /** Powertools idempotency records for POST /orders. */
  idempotency: {
    envVar: 'IDEMPOTENCY_TABLE_NAME',
    partitionKey: 'id',
    indexes: {},
    ttlAttribute: 'expiration',
    shortLived: true,
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof tables;
