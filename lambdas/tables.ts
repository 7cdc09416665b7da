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
}

export const tables = {
  /** Users, orders, order history, chat rooms and messages (single-table design). */
  main: {
    envVar: 'MAIN_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: {
      // A whole collection newest first: all users, all orders (optionally by status).
      byCollection: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      // One owner's items newest first: a user's orders.
      byOwner: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    },
    // WebSocket tickets expire here.
    ttlAttribute: 'expiresAt',
  },
  /** Live WebSocket connections and their room memberships. */
  connections: {
    envVar: 'CONNECTIONS_TABLE_NAME',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: {},
    ttlAttribute: 'expiresAt',
  },
  /** Powertools idempotency records for POST /orders. */
  idempotency: {
    envVar: 'IDEMPOTENCY_TABLE_NAME',
    partitionKey: 'id',
    indexes: {},
    ttlAttribute: 'expiration',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof tables;
