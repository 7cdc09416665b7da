// The API Gateway management clients of a container (see aws-calls.ts).
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CALL_LIMITS } from './aws-calls.ts';

const managementClients = new Map<string, ApiGatewayManagementApiClient>();

/** One management client per WebSocket endpoint (`https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`). */
export function connectionsApi(endpoint: string): ApiGatewayManagementApiClient {
  let client = managementClients.get(endpoint);
  if (!client) {
    // Not withDeadline: connections-api.ts gives each call a deadline that also aborts the request.
    client = new ApiGatewayManagementApiClient({ endpoint, ...CALL_LIMITS });
    managementClients.set(endpoint, client);
  }
  return client;
}
