/**
 * Closes the WebSocket connections of a user (or of one of their sessions) when
 * the session ends: logout, sign-out-everywhere, account deletion, demotion.
 * DeleteConnection closes the socket at once; API Gateway then runs
 * $disconnect, which forgets the connection and its rooms.
 */
import { closeConnection } from '../shared/connections-api.ts';
import { logger } from '../shared/logger.ts';
import { connectionsOfUser } from './connections-repository.ts';

export async function disconnectSessions(userId: string, sessionId?: string): Promise<void> {
  const connections = await connectionsOfUser(userId);
  const closing = connections.filter((c) => sessionId === undefined || c.sessionId === sessionId);
  const results = await Promise.allSettled(closing.map((c) => closeConnection(c.connectionId)));
  const failed = results.filter((r) => r.status === 'rejected').length;
  // A connection we could not close can still do nothing: every frame re-checks the session.
  if (failed) logger.warn('Some connections of an ended session could not be closed', { userId, failed });
}
