// End-to-end, on a runtime of its own: what API Gateway does to connections that the product must
// live with. $disconnect is best-effort (this runtime never runs it), and no connection outlives
// the maximum duration (shortened here to 3 s). Stale memberships are cleaned up by the product
// itself: the first fan-out that meets a vanished connection gets 410 and forgets it. Frames of a
// connection run concurrently and in no set order (each waits up to 40 ms here before it runs).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { spawnRuntime } from '../support/runtime-process.ts';
import { newUser, placeOrder, runtimeTables, socketsClosedAfterEach, useRuntime } from './support.ts';

const secret = randomBytes(24).toString('base64url');
const own = spawnRuntime({
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  REQUEST_LOG: 'off',
  LOCAL_AWS_SECRET: secret,
  LOCAL_WS_DROP_DISCONNECT: '1',
  WS_MAX_CONNECTION_SECONDS: '3',
  LOCAL_WS_FRAME_JITTER_MS: '40',
});
// Files of a worker share modules (isolate: false): the shared runtime is put back for the next one.
let restore: (() => void) | undefined;
beforeAll(async () => {
  restore = useRuntime(await own.ready);
}, 90_000);
afterAll(async () => {
  restore?.();
  await own.stop();
});
const sockets = socketsClosedAfterEach();

/** The connections the room's partition holds, as fan-out reads them. */
async function membersOf(roomId: string): Promise<string[]> {
  const client = runtimeTables(secret);
  const page = await client.send(
    new QueryCommand({
      TableName: 'order-chat-local-connections',
      KeyConditionExpression: 'pk = :room',
      ExpressionAttributeValues: { ':room': `ROOM#${roomId}` },
    }),
  );
  client.destroy();
  // A left membership stays a few minutes as a marker (so an overtaken join can't revive it).
  return (page.Items ?? []).filter((item) => item.leftAt === undefined).map((item) => String(item.connectionId));
}

describe('connections API Gateway ends on its own terms', () => {
  it('a connection whose $disconnect never came is forgotten by the first message that meets it', async () => {
    const customer = await newUser('lifecycle');
    const order = await placeOrder(customer);
    const [leaving, staying] = [await sockets.ticket(customer), await sockets.ticket(customer)];
    for (const client of [leaving, staying]) {
      client.send({ action: 'joinRoom', roomId: order.id });
      await client.next((f) => f.type === 'chatHistory');
    }
    expect(await membersOf(order.id)).toHaveLength(2);
    await leaving.close();
    // No $disconnect ran: the membership is still there.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await membersOf(order.id)).toHaveLength(2);

    staying.send({ action: 'sendMessage', roomId: order.id, content: 'anyone there?', clientMessageId: 'c1' });
    expect((await staying.next((f) => f.type === 'newMessage')).message.content).toBe('anyone there?');
    await expect.poll(() => membersOf(order.id)).toHaveLength(1);
  });

  it('closes a connection at the maximum duration (1001), however busy it is', async () => {
    const customer = await newUser('lifecycle-max');
    const client = await sockets.ticket(customer);
    const ping = setInterval(() => client.send({ action: 'leaveRoom', roomId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }), 500);
    try {
      const closed = await Promise.race([
        client.closed,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 6_000)),
      ]);
      expect(closed?.code).toBe(1001);
    } finally {
      clearInterval(ping);
    }
  });

  it('keeps the order in which a leaveRoom and a joinRoom were sent, whichever runs first', async () => {
    const customer = await newUser('reorder');
    // A room and a socket a round: this runtime ends every connection after 3 s.
    for (let round = 0; round < 5; round++) {
      const order = await placeOrder(customer);
      const client = await sockets.ticket(customer);
      const answers = () =>
        Promise.all([client.next((f) => f.type === 'leftRoom'), client.next((f) => f.type === 'chatHistory')]);
      client.send({ action: 'joinRoom', roomId: order.id });
      await client.next((f) => f.type === 'chatHistory');
      // Sent together: the join must stand, in whichever order the two ran.
      client.send({ action: 'leaveRoom', roomId: order.id });
      client.send({ action: 'joinRoom', roomId: order.id });
      await answers();
      expect(await membersOf(order.id)).toHaveLength(1);
      // A leave sent after a join stands too. It is sent once the join is answered: frames stamped in
      // the same millisecond tie, and a tie keeps the membership (docs/fidelity.md), so two frames a
      // few ms apart can tie when a busy machine holds the gateway's event loop between them.
      client.send({ action: 'joinRoom', roomId: order.id });
      await client.next((f) => f.type === 'chatHistory');
      client.send({ action: 'leaveRoom', roomId: order.id });
      await client.next((f) => f.type === 'leftRoom');
      expect(await membersOf(order.id)).toHaveLength(0);
      client.send({ action: 'leaveRoom', roomId: order.id });
      client.send({ action: 'joinRoom', roomId: order.id });
      await answers();
      // And the member hears the room: a message from another connection reaches only those in it.
      const speaker = await sockets.ticket(customer);
      speaker.send({ action: 'sendMessage', roomId: order.id, content: 'still here?', clientMessageId: `r${round}` });
      expect((await client.next((f) => f.type === 'newMessage')).message.content).toBe('still here?');
      await Promise.all([client.close(), speaker.close()]);
    }
  });
});
