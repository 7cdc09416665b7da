/** Every call of a DynamoDB client, with the capacity it consumed: the table's and each index's. */
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function meterCapacity(
  client: DynamoDBClient,
  onCall: (call: { operation: string; consumed: ConsumedCapacity[] }) => void,
): void {
  // The document client sends through this client's middleware stack: one hook sees every call.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      let result;
      try {
        result = await next(args);
      } catch (error) {
        // A refused write (its condition false) is a request too: DynamoDB bills it, but reports no units.
        onCall({ operation, consumed: [] });
        throw error;
      }
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      onCall({ operation, consumed: [consumed ?? []].flat() });
      return result;
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/** A call's units, as reads or writes by its operation (DynamoDB reports one total, tables and indexes together). */
export function unitsOf(call: { operation: string; consumed: readonly ConsumedCapacity[] }): {
  read: number;
  write: number;
} {
  const total = call.consumed.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
  return READS.has(call.operation) ? { read: total, write: 0 } : { read: 0, write: total };
}
