// The Cognito client of a container (see aws-calls.ts).
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CALL_LIMITS, withDeadline } from './aws-calls.ts';

let cognitoClient: CognitoIdentityProviderClient | undefined;

export function cognito(): CognitoIdentityProviderClient {
  cognitoClient ??= withDeadline(new CognitoIdentityProviderClient({ ...CALL_LIMITS }));
  return cognitoClient;
}
