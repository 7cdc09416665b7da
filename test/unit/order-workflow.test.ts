// Unit: the order workflow's rules (which filters combine, and into which index partition), the
// CSV that spreadsheets open safely, the note count's bound, and the backfill of what older items
// lack, with DynamoDB mocked.
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { backfillLookupKeys } from '#lambdas/maintenance/backfill.ts';
import { csvCell, csvHeader, csvRow } from '#lambdas/orders/csv.ts';
import { addNote, assignOrder, scopeOf } from '#lambdas/orders/service.ts';
import { listParams, toItem } from '#lambdas/orders/repository.ts';
import { newOrder } from '#lambdas/orders/order.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#lambdas/shared/errors.ts';
import { ADMIN_ID, OTHER_ID, USER_ID } from '../support/events.ts';

const customer = { id: USER_ID, role: 'REGULAR' as const, name: 'Olive Owner' };
const admin = { id: ADMIN_ID, role: 'ADMIN' as const, name: 'Ada Admin' };
const ORDER_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

describe('finding orders: one index partition a filter', () => {
  const query = (caller: typeof admin | typeof customer, filters: Parameters<typeof scopeOf>[1]) => {
    const params = listParams(scopeOf(caller, filters), 20, undefined);
    return {
      index: params.IndexName,
      condition: params.KeyConditionExpression,
      values: params.ExpressionAttributeValues,
    };
  };

  it("keeps a customer to their own orders, by status and dates, and refuses them everybody else's filters", () => {
    expect(query(customer, {})).toMatchObject({ index: 'byOwner', values: { ':pk': `OWNER#${USER_ID}` } });
    expect(query(customer, { status: 'REVIEW', createdFrom: '2026-12-01' })).toMatchObject({
      index: 'byOwnerStatus',
      condition: '#pk = :pk AND #sk BETWEEN :from AND :to',
      values: { ':pk': `OWNER#${USER_ID}#REVIEW`, ':from': '2026-12-01', ':to': '9999~' },
    });
    expect(() => scopeOf(customer, { assignee: 'none' })).toThrow(ForbiddenError);
    expect(() => scopeOf(customer, { customerId: OTHER_ID })).toThrow(ForbiddenError);
  });

  it("reads an admin's filters from the index that holds them, dates as a range of the sort key", () => {
    expect(query(admin, {})).toMatchObject({ index: 'allOrders', condition: '#pk = :pk' });
    expect(query(admin, { status: 'PROCESSING' })).toMatchObject({
      index: 'byStatus',
      values: { ':pk': 'ORDERS#PROCESSING' },
    });
    expect(query(admin, { customerId: OTHER_ID, createdTo: '2026-12-05' })).toMatchObject({
      index: 'byOwner',
      values: { ':pk': `OWNER#${OTHER_ID}`, ':from': '', ':to': '2026-12-05~' },
    });
    expect(query(admin, { assignee: 'me' })).toMatchObject({
      index: 'lookup',
      condition: '#pk = :pk',
      values: { ':pk': `ASSIGNEE#${ADMIN_ID}` },
    });
    expect(query(admin, { assignee: 'none', status: 'REVIEW' })).toMatchObject({
      index: 'lookup',
      condition: '#pk = :pk AND begins_with(#sk, :prefix)',
      values: { ':pk': 'ASSIGNEE#NONE', ':prefix': 'REVIEW#' },
    });
    expect(
      query(admin, {
        assignee: OTHER_ID,
        status: 'COMPLETED',
        createdFrom: '2026-12-01T10:00:00Z',
        createdTo: '2026-12-02',
      }),
    ).toMatchObject({
      values: { ':from': 'COMPLETED#2026-12-01T10:00:00Z', ':to': 'COMPLETED#2026-12-02~' },
    });
  });

  it('refuses what no single partition holds, and a range that ends before it starts', () => {
    expect(() => scopeOf(admin, { assignee: 'me', customerId: OTHER_ID })).toThrow(ValidationError);
    expect(() => scopeOf(admin, { assignee: 'me', createdFrom: '2026-12-01' })).toThrow(ValidationError);
    expect(() => scopeOf(admin, { createdFrom: '2026-12-02', createdTo: '2026-12-01T23:00:00Z' })).toThrow(
      ValidationError,
    );
    expect(() => scopeOf(admin, { createdFrom: '2026-12-01T10:00:00Z', createdTo: '2026-12-01' })).not.toThrow();
  });

  it('files every order under its assignee, or nobody, status first', () => {
    const order = newOrder(
      ORDER_ID,
      customer,
      { description: 'x', specifications: {}, quantity: 1, metadata: {} },
      '2026-12-01T00:00:00.000Z',
    );
    expect(toItem(order)).toMatchObject({
      gsi8pk: 'ASSIGNEE#NONE',
      gsi8sk: `REVIEW#2026-12-01T00:00:00.000Z#${ORDER_ID}`,
    });
    const assigned = toItem({ ...order, assignee: { id: ADMIN_ID, name: 'Ada' } });
    expect(assigned).toMatchObject({ gsi8pk: `ASSIGNEE#${ADMIN_ID}`, assigneeId: ADMIN_ID, assigneeName: 'Ada' });
    expect(assigned).not.toHaveProperty('assignee');
  });
});

describe('CSV export', () => {
  it('quotes every cell and defuses what a spreadsheet would run as a formula', () => {
    expect(csvCell('=1+2')).toBe(`"'=1+2"`);
    expect(csvCell('+44 20')).toBe(`"'+44 20"`);
    expect(csvCell('-3')).toBe(`"'-3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\t=cmd')).toBe(`"'\t=cmd"`);
    expect(csvCell('\r=cmd')).toBe(`"'\r=cmd"`);
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell(40)).toBe('"40"');
    expect(csvHeader().startsWith('\uFEFF"Order","Placed at"')).toBe(true);
    expect(
      csvRow({
        id: ORDER_ID,
        userId: USER_ID,
        description: '=HYPERLINK("x")',
        quantity: 2,
        status: 'REVIEW',
        createdAt: '2026-12-01T00:00:00.000Z',
        roomOpen: true,
        customer: null,
        assignee: null,
      }),
    ).toBe(
      `"${ORDER_ID}","2026-12-01T00:00:00.000Z","REVIEW","(deleted account)","","2","'=HYPERLINK(""x"")","","open"\r\n`,
    );
  });
});

describe('notes', () => {
  const cancelled = (codes: string[]) =>
    new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  it('counts a note with it in one transaction, bounded by the count', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    await addNote(admin, ORDER_ID, 'Call back Monday');
    const items = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.ConditionCheck).toMatchObject({ Key: { pk: `ORDER#${ORDER_ID}`, sk: 'ORDER' } });
    expect(items[1]!.Update).toMatchObject({
      Key: { pk: `ORDER#${ORDER_ID}`, sk: 'ORDER#NOTES' },
      ConditionExpression: 'attribute_not_exists(notes) OR notes < :max',
      ExpressionAttributeValues: { ':one': 1, ':max': 500 },
    });
    // Notes sort after the order, outside its history's keys (HISTORY#… to ORDER).
    expect(String(items[2]!.Put!.Item!.sk) > 'ORDER').toBe(true);
  });

  it('refuses the 501st note (409), a note on no order (404), and a customer (403) before writing', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed', 'None']));
    await expect(addNote(admin, ORDER_ID, 'One too many')).rejects.toThrow(ConflictError);
    dynamo.reset();
    dynamo.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None', 'None']));
    await expect(addNote(admin, ORDER_ID, 'Nowhere')).rejects.toThrow(NotFoundError);
    dynamo.reset();
    await expect(addNote(customer, ORDER_ID, 'Sneaky')).rejects.toThrow(ForbiddenError);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('the backfill after a deploy', () => {
  const orderItem = {
    ...toItem(
      newOrder(
        ORDER_ID,
        customer,
        { description: 'Old', specifications: {}, quantity: 1, metadata: {} },
        '2026-01-01T00:00:00.000Z',
      ),
    ),
    gsi8pk: undefined,
    gsi8sk: undefined,
  };
  const profileItem = { pk: `USER#${OTHER_ID}`, sk: 'PROFILE', entity: 'User', id: OTHER_ID, name: 'Olga Older' };
  const waitingRoom = {
    pk: `ROOM#${ORDER_ID}`,
    sk: 'STATE',
    entity: 'Conversation',
    roomId: ORDER_ID,
    gsi6pk: 'INBOX',
    gsi6sk: `2026-01-02T00:00:00.000Z#${ORDER_ID}`,
  };

  it('files each old item under the lookup index as a new one would be, and records where it stopped', async () => {
    dynamo.on(GetCommand).resolves({});
    dynamo
      .on(ScanCommand)
      .resolvesOnce({ Items: [orderItem, profileItem], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
      .resolves({ Items: [waitingRoom, { ...profileItem, deletedAt: '2026-02-01T00:00:00.000Z' }] });
    dynamo.on(UpdateCommand).resolves({});
    dynamo.on(PutCommand).resolves({});
    const report = await backfillLookupKeys(() => 60_000);
    expect(report).toEqual({ done: true, scanned: 4, updated: 3 });
    const updates = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates.map((update) => [update.Key, update.ExpressionAttributeValues])).toEqual([
      [
        { pk: `ORDER#${ORDER_ID}`, sk: 'ORDER' },
        { ':pk': 'ASSIGNEE#NONE', ':sk': `REVIEW#2026-01-01T00:00:00.000Z#${ORDER_ID}` },
      ],
      [
        { pk: `USER#${OTHER_ID}`, sk: 'NAME' },
        { ':entity': 'UserName', ':id': OTHER_ID, ':pk': 'NAMES', ':sk': `olga older#${OTHER_ID}` },
      ],
      [{ pk: `ROOM#${ORDER_ID}`, sk: 'STATE' }, { ':none': 'WAITING#NONE' }],
    ]);
    // Never over a real change: each only where the keys (or the name entry) are still missing.
    expect(updates.map((update) => update.ConditionExpression)).toEqual([
      'attribute_exists(pk) AND attribute_not_exists(gsi8pk)',
      'attribute_not_exists(pk)',
      'attribute_exists(gsi6pk) AND attribute_not_exists(gsi8pk)',
    ]);
    expect(dynamo.commandCalls(PutCommand).map((call) => call.args[0].input.Item)).toEqual([
      { pk: 'MAINTENANCE', sk: 'BACKFILL#lookup-index', lastKey: { pk: 'x', sk: 'y' } },
      { pk: 'MAINTENANCE', sk: 'BACKFILL#lookup-index', done: true },
    ]);
  });

  it('goes on where the last run stopped, stops itself short of its time, and reads one item once done', async () => {
    dynamo.on(GetCommand).resolves({ Item: { lastKey: { pk: 'x', sk: 'y' } } });
    dynamo.on(ScanCommand).resolves({ Items: [], LastEvaluatedKey: { pk: 'z', sk: 'z' } });
    dynamo.on(PutCommand).resolves({});
    expect(await backfillLookupKeys(() => 5_000)).toEqual({ done: false, scanned: 0, updated: 0 });
    expect(dynamo.commandCalls(ScanCommand)[0]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x', sk: 'y' });
    dynamo.reset();
    dynamo.on(GetCommand).resolves({ Item: { done: true } });
    expect(await backfillLookupKeys(() => 60_000)).toEqual({ done: true, scanned: 0, updated: 0 });
    expect(dynamo.commandCalls(ScanCommand)).toHaveLength(0);
  });
});

describe('assigning', () => {
  const stored = toItem(
    newOrder(
      ORDER_ID,
      customer,
      { description: 'x', specifications: {}, quantity: 1, metadata: {} },
      '2026-12-01T00:00:00.000Z',
    ),
  );
  const colleague = { id: OTHER_ID, name: 'Cy Colleague', role: 'ADMIN' as const, deleted: false };

  it('never retries over a rival write: the loser of two admins assigning at once hears who has it now (409)', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: stored })
      .resolves({ Item: { ...stored, version: 2, assigneeId: OTHER_ID, assigneeName: 'Cy Colleague' } });
    dynamo
      .on(PutCommand)
      .resolvesOnce({})
      .rejects(new ConditionalCheckFailedException({ message: 'version moved', $metadata: {} }));
    const self = { id: ADMIN_ID, name: 'Ada Admin', role: 'ADMIN' as const, deleted: false };
    await expect(assignOrder(admin, ORDER_ID, self, undefined)).rejects.toThrow(
      /Someone else changed this order just now; it is assigned to Cy Colleague/,
    );
    // One attempt: the order read once for the change, once more to say who won.
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('refuses an assignee who is not a live admin before reading the order', async () => {
    await expect(assignOrder(admin, ORDER_ID, { ...colleague, role: 'REGULAR' }, undefined)).rejects.toThrow(
      'Orders can only be assigned to an admin.',
    );
    await expect(assignOrder(admin, ORDER_ID, { ...colleague, deleted: true }, undefined)).rejects.toThrow();
    await expect(assignOrder(admin, ORDER_ID, undefined, undefined)).rejects.toThrow();
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });
});
