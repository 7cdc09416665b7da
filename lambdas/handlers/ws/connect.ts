// Primary adapter: $connect stores who is behind the new connection, and with which session.
import { openConnection } from '../../chat/open-connection.ts';
import { TooManyRequestsError } from '../../shared/errors.ts';
import { callerAtConnect, sessionOfConnection, type WsEvent } from '../../shared/ws.ts';

export const handler = async (event: WsEvent) => {
  const caller = callerAtConnect(event);
  const session = sessionOfConnection(event);
  try {
    await openConnection({
      connectionId: event.requestContext.connectionId,
      userId: caller.id,
      role: caller.role,
      connectedAt: new Date(event.requestContext.connectedAt).toISOString(),
      sessionId: session.id,
      sessionExpiresAt: session.expiresAt,
    });
  } catch (error) {
    // API Gateway refuses the upgrade with the status $connect answers.
    if (error instanceof TooManyRequestsError) return { statusCode: 429 };
    throw error;
  }
  return { statusCode: 200 };
};
