// Primary adapter: the $connect Lambda REQUEST authorizer. Identity from `token` (an access token) or `ticket`.
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { redeemTicket } from '../../chat/service.ts';
import { verifyAccessToken } from '../../shared/jwt.ts';
import { logger } from '../../shared/logger.ts';
import { cameThroughCloudFront } from '../../shared/origin-verify.ts';
import { getProfile } from '../../users/repository.ts';

/** API Gateway answers 401 to the upgrade when an authorizer throws exactly this. */
const UNAUTHORIZED = 'Unauthorized';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
});

async function userIdFrom(query: Record<string, string | undefined>): Promise<string | undefined> {
  if (query.token) {
    try {
      return (await verifyAccessToken(query.token)).sub;
    } catch (error) {
      logger.info('WebSocket token refused', { reason: (error as Error).name });
      return undefined;
    }
  }
  if (query.ticket) return redeemTicket(query.ticket);
  return undefined;
}

export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  if (!cameThroughCloudFront(event.headers)) return policy('anonymous', 'Deny', event.methodArn);
  // Tokens and tickets are credentials: neither is ever logged.
  const userId = await userIdFrom(event.queryStringParameters ?? {});
  if (!userId) throw new Error(UNAUTHORIZED);
  // The profile, not the token, says who they are now: name for chat, current role, not deleted.
  const profile = await getProfile(userId);
  if (!profile || profile.deletedAt) throw new Error(UNAUTHORIZED);
  return {
    ...policy(userId, 'Allow', event.methodArn),
    context: { userId, role: profile.role, name: profile.name },
  };
};
