/**
 * The HTTP API JWT authorizer, as API Gateway runs it: signature against the
 * issuer's JWKS, `iss`, `aud` (or `client_id` when there is no `aud`) equal to
 * a configured audience, `exp` (required), and `nbf`/`iat` when present. Claims are then
 * handed on rendered as API Gateway renders them (every value a string,
 * arrays as "[a b]").
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

export type JwtAuthorizer = (authorizationHeader: string | undefined) => Promise<Record<string, string> | undefined>;

export function renderClaims(payload: JwtPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) claims[name] = `[${value.join(' ')}]`;
    else if (typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

export async function createJwtAuthorizer(options: { issuer: string; audience: string[] }): Promise<JwtAuthorizer> {
  const verifier = JwtRsaVerifier.create({
    issuer: options.issuer,
    audience: null,
    customJwtCheck: ({ payload }) => {
      // API Gateway requires exp; aws-jwt-verify checks it only when present.
      if (typeof payload.exp !== 'number') throw new Error('the token has no expiry');
      const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
      if (!audiences.some((aud) => typeof aud === 'string' && options.audience.includes(aud))) {
        throw new Error('the token does not have a valid audience');
      }
    },
  });
  const response = await fetch(`${options.issuer}/.well-known/jwks.json`);
  if (!response.ok) throw new Error(`Could not load the JWKS of ${options.issuer}: ${response.status}`);
  verifier.cacheJwks((await response.json()) as Parameters<typeof verifier.cacheJwks>[0]);

  return async (header) => {
    const token = header?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return undefined;
    try {
      return renderClaims(await verifier.verify(token));
    } catch {
      return undefined;
    }
  };
}
