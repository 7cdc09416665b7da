/**
 * What an item written by an earlier release lacks, filled in once per stage: the lookup index's
 * keys (orders by assignee, users by name, waiting rooms by assignee). Each repository says what
 * its items need (it owns their keys); this pages through the table, a Scan being the only way to
 * find items no index holds yet, and records how far it got, so a run that ran out of time goes on
 * where it stopped and a stage done is never scanned again.
 */
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHolds, dynamo } from '../shared/dynamo-client.ts';
import { readEnv } from '../shared/env.ts';
import { lookupBackfill as conversationBackfill } from '../chat/conversation-repository.ts';
import { lookupBackfill as orderBackfill } from '../orders/repository.ts';
import { lookupBackfill as profileBackfill } from '../users/repository.ts';

const env = /* @__PURE__ */ readEnv({ MAIN_TABLE_NAME: {} });
const TableName = env.MAIN_TABLE_NAME;

/** The record of this backfill: done, or the key its last run stopped at. */
const MARKER = { pk: 'MAINTENANCE', sk: 'BACKFILL#lookup-index' };
const BACKFILLS = [orderBackfill, profileBackfill, conversationBackfill];

export interface BackfillReport {
  done: boolean;
  scanned: number;
  updated: number;
}

/** Runs while more than `reserveMs` of `remainingMs()` is left; run again until `done`. */
export async function backfillLookupKeys(remainingMs: () => number, reserveMs = 10_000): Promise<BackfillReport> {
  const report: BackfillReport = { done: false, scanned: 0, updated: 0 };
  const marker = (await dynamo().send(new GetCommand({ TableName, Key: MARKER, ConsistentRead: true }))).Item;
  if (marker?.done) return { ...report, done: true };
  let startKey = marker?.lastKey as Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({
        TableName,
        // Only what may need it: none of the other items is read past the page's filter.
        // Profiles never hold the keys (their name entry does): each is read, its entry written once.
        FilterExpression: 'attribute_not_exists(gsi8pk) AND entity IN (:order, :user, :conversation)',
        ExpressionAttributeValues: { ':order': 'Order', ':user': 'User', ':conversation': 'Conversation' },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      report.scanned++;
      for (const backfill of BACKFILLS) {
        const update = backfill(item);
        // A refused condition: a real change wrote the keys meanwhile.
        if (update && (await conditionHolds(dynamo().send(new UpdateCommand(update))))) report.updated++;
      }
    }
    startKey = page.LastEvaluatedKey;
    await dynamo().send(
      new PutCommand({ TableName, Item: { ...MARKER, ...(startKey ? { lastKey: startKey } : { done: true }) } }),
    );
  } while (startKey && remainingMs() > reserveMs);
  return { ...report, done: startKey === undefined };
}
