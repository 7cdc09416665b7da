// Primary adapter: the $connect Lambda REQUEST authorizer.
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { roleFromGroups } from '../../shared/caller.ts';
import { verifyAccessToken } from '../../shared/jwt.ts';
import { logger } from '../../shared/logger.ts';
import { cameThroughCloudFront } from '../../shared/origin-verify.ts';

/** API Gateway answers 401 to the upgrade when an authorizer throws exactly this. */
const UNAUTHORIZED = 'Unauthorized';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
});

export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  if (!cameThroughCloudFront(event.headers)) return policy('anonymous', 'Deny', event.methodArn);
  // The token is a credential: it is never logged.
  const token = event.queryStringParameters?.token;
  if (!token) throw new Error(UNAUTHORIZED);
  let verified;
  try {
    verified = await verifyAccessToken(token);
  } catch (error) {
    logger.info('WebSocket token refused', { reason: (error as Error).name });
    throw new Error(UNAUTHORIZED);
  }
  return {
    ...policy(verified.sub, 'Allow', event.methodArn),
    context: { userId: verified.sub, role: roleFromGroups(verified.groups) },
  };
};
