/**
 * AWS clients, created once per container so connections and credentials are
 * reused across warm invocations. Endpoints come from the standard
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local runtime points
 * the very same code at DynamoDB Local and the Cognito emulator.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';

/**
 * Every call is bounded well below the functions' 10 s timeout (and API Gateway's
 * 29 s): a hung dependency costs at most two 1.5 s attempts (plus backoff) before
 * the request is answered 503. A connection that can't be opened gives up after 1 s.
 */
export const CALL_LIMITS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 1500 },
} as const;

let dynamoClient: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let cognitoClient: CognitoIdentityProviderClient | undefined;
const managementClients = new Map<string, ApiGatewayManagementApiClient>();

/** The plain client, for libraries that marshal themselves (Powertools idempotency). */
export function dynamoRaw(): DynamoDBClient {
  dynamoClient ??= new DynamoDBClient({ ...CALL_LIMITS });
  return dynamoClient;
}

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(dynamoRaw(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function cognito(): CognitoIdentityProviderClient {
  cognitoClient ??= new CognitoIdentityProviderClient({ ...CALL_LIMITS });
  return cognitoClient;
}

/** One management client per WebSocket endpoint (`https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`). */
export function connectionsApi(endpoint: string): ApiGatewayManagementApiClient {
  let client = managementClients.get(endpoint);
  if (!client) {
    client = new ApiGatewayManagementApiClient({ endpoint, ...CALL_LIMITS });
    managementClients.set(endpoint, client);
  }
  return client;
}
