/**
 * States a real client can only reach with time or a broken network — an
 * expired ticket, a connection that vanished without $disconnect — planted
 * straight into the runtime's DynamoDB Local through our own repositories.
 * Everything else in the end-to-end tests goes through HTTP and WebSocket.
 */
import { runtime } from './support.ts';

Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
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
  await joinRoom(connection, roomId);
}

export async function membersOf(roomId: string): Promise<string[]> {
  const { roomMembers } = await import('#lambdas/chat/connections-repository.ts');
  return roomMembers(roomId);
}
