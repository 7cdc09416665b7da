// Primary adapter: the HTTP API's Lambda authorizer on public routes (deployed only). API Gateway
// refuses a request without CloudFront's origin header (401) before running anything, and caches this
// answer per header value, so direct execute-api calls to public routes invoke no route function.
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult } from 'aws-lambda';
import { cameThroughCloudFront } from '../../shared/origin-verify.ts';

export const handler = async (
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerResult> => ({
  isAuthorized: await cameThroughCloudFront(event.headers),
});
