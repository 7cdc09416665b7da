// Primary adapter: the $connect Lambda REQUEST authorizer. Identity from `ticket` (single use, from
// POST /chat/tickets) only: a query string lands in CloudFront's standard logs, so it must never carry
// a credential that outlives its first use (docs/deploying.md, "Credentials never reach a log").
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { redeemTicket } from '../../chat/service.ts';
import type { Session } from '../../shared/caller.ts';
import { UnauthorizedError } from '../../shared/errors.ts';
import { logger } from '../../shared/logger.ts';
import { cameThroughCloudFront } from '../../shared/origin-verify.ts';
import { currentCaller } from '../../users/session.ts';

/** API Gateway answers 401 to the upgrade when an authorizer throws exactly this. */
const UNAUTHORIZED = 'Unauthorized';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
});

async function sessionFrom(query: Record<string, string | undefined>): Promise<Session | undefined> {
  if (query.token) logger.info('WebSocket access token refused: connect with a ticket from POST /chat/tickets');
  return query.ticket ? redeemTicket(query.ticket) : undefined;
}

export const handler = async (
  event: APIGatewayRequestAuthorizerEvent,
  context?: Context,
): Promise<APIGatewayAuthorizerResult> => {
  // Its log lines name this function and request, like every other handler's.
  if (context) logger.addContext(context);
  if (!(await cameThroughCloudFront(event.headers))) return policy('anonymous', 'Deny', event.methodArn);
  // Tickets are credentials: never logged.
  const session = await sessionFrom(event.queryStringParameters ?? {});
  if (!session) {
    logger.info('WebSocket connection refused: no ticket, or one unknown, already used or expired');
    throw new Error(UNAUTHORIZED);
  }
  // The profile, not the token, says who they are now: name for chat, current role, session still live.
  // An ended session is a 401; an outage stays an error (API Gateway answers it with 500).
  const caller = await currentCaller(session).catch((error: unknown) => {
    if (error instanceof UnauthorizedError) throw new Error(UNAUTHORIZED);
    throw error;
  });
  return {
    ...policy(caller.id, 'Allow', event.methodArn),
    context: {
      userId: caller.id,
      role: caller.role,
      name: caller.name,
      sessionId: session.id,
      sessionStartedAt: session.startedAt,
      sessionExpiresAt: session.expiresAt,
    },
  };
};
