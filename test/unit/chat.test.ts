// Unit: chat messages, tickets and the $connect authorizer, with DynamoDB mocked.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { messagePage, pageParams, saveMessage, saveMessageParams } from '#lambdas/chat/messages-repository.ts';
import { sendMessage, STORE_AND_ACK_MS } from '#lambdas/chat/service.ts';
import { newOrder } from '#lambdas/orders/order.ts';
import { redeemTicket } from '#lambdas/chat/tickets-repository.ts';
import { handler as authorizer } from '#lambdas/handlers/ws/authorizer.ts';
import { sessionKey } from '#lambdas/users/user.ts';
import { USER_ID } from '../support/events.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const meta = { $metadata: {} };
beforeEach(() => dynamo.reset());
afterEach(() => dynamo.reset());

const ROOM = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const message = (clientMessageId: string | null = 'cm-1') => ({
  id: '01ARZ3NDEKTSV4RRFFQ69G5FAW',
  roomId: ROOM,
  content: 'hi',
  createdAt: '2026-01-01T00:00:00.000Z',
  clientMessageId,
  sender: { id: USER_ID, name: 'Alice', role: 'REGULAR' as const },
});
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({ message: 'x', ...meta, CancellationReasons: codes.map((Code) => ({ Code })) });

const NO_CONVERSATION = {
  version: 0,
  counts: { fromCustomer: 0, fromAdmins: 0 },
  lastMessage: null,
  readUpTo: { customer: null, admins: null },
};
const move = (before = NO_CONVERSATION) => ({
  before,
  after: {
    counts: { fromCustomer: before.counts.fromCustomer + 1, fromAdmins: before.counts.fromAdmins },
    lastMessage: {
      id: message().id,
      createdAt: message().createdAt,
      side: 'customer' as const,
      senderName: 'Alice',
      preview: 'hi',
    },
  },
  customerId: USER_ID,
});

describe('saving a message', () => {
  it('checks the room is open, moves its conversation on, claims the clientMessageId and schedules the e-mail in one transaction', () => {
    const params = saveMessageParams(message(), move());
    // The first message of a customer: it starts a wait, so the count of waiting rooms rises with it.
    expect(params.TransactItems).toHaveLength(6);
    const [roomOpen, conversation, put, claim, waiting, notify] = params.TransactItems as Record<
      string,
      {
        Key?: unknown;
        Item?: unknown;
        ConditionExpression?: string;
        UpdateExpression?: string;
        ExpressionAttributeValues?: unknown;
      }
    >[];
    // The room's state is its order's: the check is on the order item, the message in the room's partition.
    expect(roomOpen!.ConditionCheck).toMatchObject({
      Key: { pk: `ORDER#${ROOM}`, sk: 'ORDER' },
      ExpressionAttributeValues: { ':open': true },
    });
    // The first message starts the conversation (an assignment may have filed its room already: no
    // version yet); a customer's puts the room in the inbox, and under its order's assignee (nobody).
    expect(conversation!.Update).toMatchObject({
      Key: { pk: `ROOM#${ROOM}`, sk: 'STATE' },
      ConditionExpression: 'attribute_not_exists(version)',
      ExpressionAttributeValues: { ':next': 1, ':fromCustomer': 1, ':inbox': 'INBOX', ':waitingFor': 'WAITING#NONE' },
    });
    expect(conversation!.Update!.UpdateExpression).toContain('gsi8pk = if_not_exists(inboxPartition, :waitingFor)');
    expect(put!.Put!.Item).toMatchObject({
      pk: `ROOM#${ROOM}`,
      sk: 'MSG#01ARZ3NDEKTSV4RRFFQ69G5FAW',
      counts: { fromCustomer: 1, fromAdmins: 0 },
    });
    expect(claim!.Put!.Item).toMatchObject({ pk: `ROOM#${ROOM}`, sk: `CMID#${USER_ID}#cm-1` });
    // A customer's message: the admins' pending e-mail, due after the delay unless it is due already.
    expect(notify!.Update).toMatchObject({
      Key: { pk: `ROOM#${ROOM}`, sk: 'NOTIFY#admins' },
      ExpressionAttributeValues: {
        ':dueAt': new Date(Date.parse(message().createdAt) + 300_000).toISOString(),
        ':reasons': new Set(['message']),
      },
    });
    expect(notify!.Update!.UpdateExpression).toContain('dueAt = if_not_exists(dueAt, :dueAt)');
    expect(waiting!.Update).toMatchObject({
      Key: { pk: 'INBOX', sk: 'COUNT' },
      ExpressionAttributeValues: { ':by': 1 },
    });
    expect(saveMessageParams(message(null), move()).TransactItems).toHaveLength(5);
    // Later messages hold only on the version they read.
    const later = saveMessageParams(message(), move({ ...NO_CONVERSATION, version: 7 })).TransactItems[1] as {
      Update: { ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> };
    };
    expect(later.Update.ConditionExpression).toBe('version = :version');
    expect(later.Update.ExpressionAttributeValues).toMatchObject({ ':version': 7, ':next': 8 });
  });

  it.each([
    [['ConditionalCheckFailed', 'None', 'None', 'None'], { saved: false, reason: 'closed' }],
    [['None', 'None', 'None', 'ConditionalCheckFailed'], { saved: false, reason: 'duplicate' }],
    [['None', 'ConditionalCheckFailed', 'None', 'None'], { saved: false, reason: 'raced' }],
    [['None', 'TransactionConflict', 'None', 'None'], { saved: false, reason: 'raced' }],
  ])('reads cancellation reasons %o as %o', async (codes, outcome) => {
    dynamo.on(TransactWriteCommand).rejects(cancelled(codes));
    expect(await saveMessage(message(), move())).toEqual(outcome);
  });

  it('starts no attempt after a race without the time to store and acknowledge it', async () => {
    const customer = { id: USER_ID, name: 'Alice', role: 'REGULAR' as const };
    const order = newOrder(
      ROOM,
      customer,
      { description: 'W', specifications: {}, quantity: 1, metadata: {} },
      message().createdAt,
    );
    dynamo.on(GetCommand, { Key: { pk: `ORDER#${ROOM}`, sk: 'ORDER' } }).resolves({ Item: order, ...meta });
    dynamo.on(GetCommand, { Key: { pk: `ROOM#${ROOM}`, sk: 'STATE' } }).resolves({ ...meta });
    // Another sender moves the conversation on every time.
    dynamo.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed', 'None']));
    // The race's wait at its longest (10 ms), with 1 ms to spare at the start.
    const random = vi.spyOn(Math, 'random').mockReturnValue(1);
    const sending = sendMessage(customer, 'conn-1', { roomId: ROOM, content: 'hi' }, STORE_AND_ACK_MS + 1);
    await expect(sending).rejects.toMatchObject({ status: 503 });
    random.mockRestore();
    // The first attempt ran; the race's wait left too little time for a second.
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('pages newest first for history and oldest first for resuming, within the messages', () => {
    // The caller asks for one more than the page holds, to tell whether another page exists.
    expect(pageParams(ROOM, {}, 51)).toMatchObject({
      ScanIndexForward: false,
      Limit: 51,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
    });
    // BETWEEN includes its bound (dropped by the caller: one more item), and never reaches CMID# items.
    expect(pageParams(ROOM, { after: 'X' }, 201)).toMatchObject({
      ScanIndexForward: true,
      Limit: 202,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':from': 'MSG#X', ':to': 'MSG$' },
    });
    expect(pageParams(ROOM, { before: 'X' }, 10)).toMatchObject({
      ScanIndexForward: false,
      ExpressionAttributeValues: { ':from': 'MSG#', ':to': 'MSG#X' },
    });
  });

  it('follows LastEvaluatedKey until the page is full, and stops at its byte budget', async () => {
    const stored = Array.from({ length: 6 }, (_, i) => ({ ...message(`c${i}`), id: `0${i}`.padEnd(26, 'A') }));
    const item = (m: (typeof stored)[number]) => ({ pk: `ROOM#${ROOM}`, sk: `MSG#${m.id}`, ...m });
    // DynamoDB's 1 MB stop: two items a page, whatever the Limit.
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: stored.slice(0, 2).map(item), LastEvaluatedKey: { pk: 'a' } })
      .resolvesOnce({ Items: stored.slice(2, 4).map(item), LastEvaluatedKey: { pk: 'b' } })
      .resolvesOnce({ Items: stored.slice(4, 6).map(item) });
    const full = await messagePage(ROOM, { after: 'A'.repeat(26) }, 5, 1_000_000);
    expect(full.items.map((m) => m.id)).toEqual(stored.slice(0, 5).map((m) => m.id));
    expect(full.hasMore).toBe(true);
    expect(dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input.ExclusiveStartKey)).toEqual([
      undefined,
      { pk: 'a' },
      { pk: 'b' },
    ]);

    dynamo.reset();
    dynamo.on(QueryCommand).resolves({ Items: stored.map(item) });
    const oneSize = JSON.stringify(stored[0]).length + 1;
    const cut = await messagePage(ROOM, { after: 'A'.repeat(26) }, 5, oneSize * 2 + 5);
    expect(cut.items).toHaveLength(2);
    expect(cut.hasMore).toBe(true);
  });
});

describe('tickets', () => {
  it('are redeemed by a conditional delete: unknown, used or expired tickets give nothing', async () => {
    dynamo.on(DeleteCommand).rejects(new ConditionalCheckFailedException({ message: 'x', ...meta }));
    expect(await redeemTicket('t', 1000)).toBeUndefined();
    const input = dynamo.commandCalls(DeleteCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
      ExpressionAttributeValues: { ':now': 1000 },
      ReturnValues: 'ALL_OLD',
    });
    expect(JSON.stringify(input.Key)).not.toContain('"t"'); // only the hash is stored
  });

  it('give the session they were issued to', async () => {
    const ticket = ticketOf(USER_ID);
    dynamo.on(DeleteCommand).resolves({ Attributes: ticket, ...meta });
    expect(await redeemTicket('t', 1000)).toEqual({
      userId: USER_ID,
      id: 'session-1',
      startedAt: ticket.sessionStartedAt,
      expiresAt: ticket.sessionExpiresAt,
    });
  });
});

function ticketOf(userId: string) {
  const now = Math.floor(Date.now() / 1000);
  return { userId, sessionId: 'session-1', sessionStartedAt: now - 60, sessionExpiresAt: now + 840 };
}

describe('$connect authorizer', () => {
  const event = (query: Record<string, string>) => ({
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:us-east-1:123:api/ws/$connect',
    headers: {},
    queryStringParameters: query,
  });

  it('refuses a connection without a ticket with Unauthorized (401)', async () => {
    await expect(authorizer(event({}) as never)).rejects.toThrow('Unauthorized');
  });

  it('allows a ticket holder with a live profile, putting name and current role in the context', async () => {
    // One ticket: two calls of ticketOf may straddle a second.
    const ticket = ticketOf(USER_ID);
    dynamo.on(DeleteCommand).resolves({ Attributes: ticket, ...meta });
    dynamo.on(GetCommand).resolves({ Item: { id: USER_ID, name: 'Alice', role: 'ADMIN', email: 'a@b.c' }, ...meta });
    const result = await authorizer(event({ ticket: 't' }) as never);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    const { sessionId, sessionStartedAt, sessionExpiresAt } = ticket;
    expect(result.context).toEqual({
      userId: USER_ID,
      role: 'ADMIN',
      name: 'Alice',
      sessionId,
      sessionStartedAt,
      sessionExpiresAt,
    });
  });

  it('refuses a ticket whose session was logged out meanwhile', async () => {
    dynamo.on(DeleteCommand).resolves({ Attributes: ticketOf(USER_ID), ...meta });
    const endedSessions = { [sessionKey('session-1')]: Math.floor(Date.now() / 1000) + 600 };
    dynamo.on(GetCommand).resolves({ Item: { id: USER_ID, name: 'A', role: 'REGULAR', endedSessions }, ...meta });
    await expect(authorizer(event({ ticket: 't' }) as never)).rejects.toThrow('Unauthorized');
  });

  it('refuses a deleted account even with a valid ticket', async () => {
    dynamo.on(DeleteCommand).resolves({ Attributes: ticketOf(USER_ID), ...meta });
    dynamo
      .on(GetCommand)
      .resolves({ Item: { id: USER_ID, name: 'Alice', role: 'REGULAR', deletedAt: '2026-01-01' }, ...meta });
    await expect(authorizer(event({ ticket: 't' }) as never)).rejects.toThrow('Unauthorized');
  });

  it('refuses an access token in place of a ticket (query strings reach logs) without touching the database', async () => {
    await expect(authorizer(event({ token: 'eyJhbGciOiJSUzI1NiJ9.e30.sig' }) as never)).rejects.toThrow('Unauthorized');
    expect(dynamo.calls()).toHaveLength(0);
  });
});
