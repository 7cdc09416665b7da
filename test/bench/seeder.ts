/**
 * Fills a runtime's tables directly, for the growth section: 100,000 orders through the API would
 * take the bench an hour. Items are written in the repositories' own shapes, so what is read back
 * is what the API would have stored.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { emulatorClientConfig } from '#local/aws.ts';
import { newOrder } from '#lambdas/orders/order.ts';
import type { Seeder } from './data-growth.ts';

/** Fills a runtime's main table (at its DynamoDB Local) through the repositories' own item shapes, 25 items a request. */
export async function tableSeeder(
  endpoint: string,
  TableName: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<Seeder> {
  // The repositories read their table names at import: loaded once the caller has set them.
  process.env.MAIN_TABLE_NAME ??= TableName;
  const { toItem: orderItem } = await import('#lambdas/orders/repository.ts');
  const { messageItem } = await import('#lambdas/chat/messages-repository.ts');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(emulatorClientConfig(endpoint, credentials)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  // Seeded items are from the past, a millisecond apart: everything the bench places is newer.
  let clock = Date.now() - 30 * 86_400_000;
  const write = async (items: Record<string, unknown>[]) => {
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    const worker = async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length) {
          const result = await client.send(new BatchWriteCommand({ RequestItems: { [TableName]: requests } }));
          requests = (result.UnprocessedItems?.[TableName] ?? []) as typeof requests;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  };
  const fields = { description: 'Seeded order', specifications: { colour: 'navy' }, quantity: 1, metadata: {} };
  return {
    async orders(count, owners) {
      const ids: string[] = [];
      for (let done = 0; done < count; done += 5_000) {
        const items = Array.from({ length: Math.min(5_000, count - done) }, (_, i) => {
          const at = clock++;
          const owner = { id: owners[(done + i) % owners.length]!, role: 'REGULAR' as const, name: 'Seeded' };
          const order = newOrder(ulid(at), owner, fields, new Date(at).toISOString());
          ids.push(order.id);
          return orderItem(order);
        });
        await write(items);
      }
      return ids;
    },
    async messages(roomId, count) {
      const items = Array.from({ length: count }, (_, i) => {
        const at = clock++;
        return messageItem({
          id: ulid(at),
          roomId,
          content: `Seeded message ${i}`,
          createdAt: new Date(at).toISOString(),
          clientMessageId: null,
          sender: { id: 'seeded', name: 'Seeded', role: 'REGULAR' },
        });
      });
      await write(items);
    },
  };
}
