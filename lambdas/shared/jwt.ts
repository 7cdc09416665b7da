/**
 * Access-token verification for the WebSocket authorizer. In AWS the
 * CognitoJwtVerifier checks issuer, signature, expiry, client id and token
 * use. Offline the Cognito emulator issues tokens from an http:// issuer that
 * CognitoJwtVerifier refuses, so the same checks run through JwtRsaVerifier
 * with the emulator's JWKS loaded once. This is the only place that knows.
 */
import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { z } from 'zod';
import { readEnv } from './env.ts';
import { sessionFromClaims, type Session } from './caller.ts';

const env = readEnv({
  USER_POOL_ID: z.string().min(1),
  USER_POOL_CLIENT_ID: z.string().min(1),
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: z.url().optional(),
});

type Verify = (token: string) => Promise<JwtPayload>;

function cognitoVerifier(): Verify {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: env.USER_POOL_ID,
    tokenUse: 'access',
    clientId: env.USER_POOL_CLIENT_ID,
  });
  return (token) => verifier.verify(token);
}

function emulatorVerifier(endpoint: string): Verify {
  const issuer = `${endpoint.replace(/\/$/, '')}/${env.USER_POOL_ID}`;
  const verifier = JwtRsaVerifier.create({
    issuer,
    audience: null,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'access') throw new Error('Not an access token');
      if (payload.client_id !== env.USER_POOL_CLIENT_ID) throw new Error('Token is for another client');
    },
  });
  let jwksLoaded: Promise<void> | undefined;
  const loadJwks = async () => {
    const response = await fetch(`${issuer}/.well-known/jwks.json`);
    if (!response.ok) throw new Error(`JWKS fetch failed with ${response.status}`);
    verifier.cacheJwks((await response.json()) as Parameters<typeof verifier.cacheJwks>[0]);
  };
  return async (token) => {
    jwksLoaded ??= loadJwks().catch((error: unknown) => {
      jwksLoaded = undefined;
      throw error;
    });
    await jwksLoaded;
    return verifier.verify(token);
  };
}

const verify: Verify = env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER
  ? emulatorVerifier(env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER)
  : cognitoVerifier();

/**
 * Resolves with the session of a valid access token, or rejects for any forged,
 * expired or foreign token, an ID token, or one without `exp` (aws-jwt-verify
 * checks `exp` only when present).
 */
export async function verifyAccessToken(token: string): Promise<Session> {
  const session = sessionFromClaims((await verify(token)) as Record<string, unknown>);
  if (!session) throw new Error('Not an access token with a subject, an id and an expiry');
  return session;
}
