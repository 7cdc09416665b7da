/**
 * States a real client can only reach with time or a broken network — an
 * expired ticket, a connection that vanished without $disconnect — planted
 * straight into the runtime's DynamoDB Local through our own repositories.
 * Everything else in the end-to-end tests goes through HTTP and WebSocket.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { inject } from 'vitest';
import { LOCAL_REGION, localAwsEnvironment } from '#local/aws.ts';
import { credentialsFromSecret } from '#local/credentials.ts';
import { runtime } from './support.ts';

Object.assign(process.env, {
  // The runtime's own credentials: DynamoDB Local keeps a database per access key id.
  ...localAwsEnvironment(credentialsFromSecret(inject('localAwsSecret'))),
  AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamoDbEndpoint,
  MAIN_TABLE_NAME: 'order-chat-local-main',
  CONNECTIONS_TABLE_NAME: 'order-chat-local-connections',
});

export async function plantExpiredTicket(ticket: string, userId: string): Promise<void> {
  const { saveTicket } = await import('#lambdas/chat/tickets-repository.ts');
  const now = Math.floor(Date.now() / 1000);
  await saveTicket(ticket, { userId, id: 'planted-session', startedAt: now, expiresAt: now + 900 }, now - 1);
}

/** A membership whose socket is long gone and whose $disconnect never ran. */
export async function plantVanishedConnection(connectionId: string, userId: string, roomId: string): Promise<void> {
  const { joinRoom, saveConnection } = await import('#lambdas/chat/connections-repository.ts');
  const connection = {
    connectionId,
    userId,
    role: 'REGULAR' as const,
    connectedAt: new Date().toISOString(),
    sessionId: 'planted-session',
    sessionExpiresAt: Math.floor(Date.now() / 1000) + 900,
  };
  await saveConnection(connection);
  await joinRoom({ ...connection, name: 'Planted' }, roomId, Date.now());
}

export async function membersOf(roomId: string): Promise<string[]> {
  const { roomMembers } = await import('#lambdas/chat/connections-repository.ts');
  return roomMembers(roomId);
}

/**
 * Cuts every connection a user has now from the server's side, as an operator's DeleteConnection
 * does in AWS: the clients see their socket closed, with no frame before it. The connections are
 * looked up first, so the returned function cuts within a millisecond of being called (mid-send).
 */
export async function connectionCutter(userId: string): Promise<() => Promise<number>> {
  const { connectionsOfUser } = await import('#lambdas/chat/connections-repository.ts');
  const management = new ApiGatewayManagementApiClient({
    endpoint: runtime.wsUrl.replace(/^ws/, 'http'),
    region: LOCAL_REGION,
    credentials: credentialsFromSecret(inject('localAwsSecret')),
  });
  const live = await connectionsOfUser(userId);
  return async () => {
    const results = await Promise.allSettled(
      live.map(({ connectionId }) => management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }))),
    );
    // A connection still stored but already closed (its $disconnect runs a moment later, as in AWS)
    // answers 410: it is not one this cut closed.
    const failure = results.find((r) => r.status === 'rejected' && !(r.reason instanceof GoneException));
    if (failure) throw (failure as PromiseRejectedResult).reason;
    return results.filter((r) => r.status === 'fulfilled').length;
  };
}

export async function cutConnectionsOf(userId: string): Promise<number> {
  return (await connectionCutter(userId))();
}

/**
 * A room's worth of messages, as sendMessage stores them (its repository's item), written in
 * batches: a room this size takes one sender ten minutes under the per-user message limit.
 */
export async function plantMessages(
  roomId: string,
  sender: { id: string; name: string; role: 'REGULAR' | 'ADMIN' },
  contents: string[],
): Promise<string[]> {
  const { monotonicFactory } = await import('ulid');
  const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const { messageItem } = await import('#lambdas/chat/messages-repository.ts');
  const { dynamo } = await import('#lambdas/shared/dynamo-client.ts');
  const id = monotonicFactory();
  const items = contents.map((content) =>
    messageItem({
      id: id(),
      roomId,
      content,
      createdAt: new Date().toISOString(),
      clientMessageId: null,
      sender,
    }),
  );
  for (let start = 0; start < items.length; start += 25) {
    let pending: Record<string, unknown[]> | undefined = {
      [process.env.MAIN_TABLE_NAME!]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (pending && Object.keys(pending).length > 0) {
      const result = await dynamo().send(new BatchWriteCommand({ RequestItems: pending as never }));
      pending = result.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
  return items.map((item) => item.id);
}

/** The ids of a user's open connections, as the connections table holds them. */
export async function connectionIdsOf(userId: string): Promise<string[]> {
  const { connectionsOfUser } = await import('#lambdas/chat/connections-repository.ts');
  return (await connectionsOfUser(userId)).map((connection) => connection.connectionId);
}

/** Makes the code sent last to an account look `ageSeconds` old (a day's wait, without the day). */
export async function ageCode(userId: string, purpose: 'verifyEmail' | 'resetPassword', ageSeconds: number) {
  const profiles = await import('#lambdas/users/repository.ts');
  const at = Math.floor(Date.now() / 1000) - ageSeconds;
  if (purpose === 'verifyEmail') await profiles.recordEmailCodeSent(userId, at);
  else await profiles.recordResetCodeSent(userId, at, (await profiles.getProfile(userId))?.passwordReset?.usedCode);
}
