/**
 * The signed-in user a request or frame acts for (the `Caller`, everywhere: HTTP, WebSocket,
 * orders, chat), and the session their token belongs to.
 */
export const ROLES = ['ADMIN', 'REGULAR'] as const;
export type Role = (typeof ROLES)[number];

/** Who acts, with the role and name their profile holds right now (the chains re-read it). */
export interface Caller {
  id: string;
  role: Role;
  /** The display name other people see (chat). */
  name: string;
}

/**
 * One sign-in, as its access token describes it. In AWS `origin_jti` names the
 * sign-in across refreshes and `auth_time` is when it began; the emulator mints
 * neither across a refresh, so there `jti` and `iat` stand in (see docs/security.md).
 */
export interface Session {
  userId: string;
  id: string;
  /** Epoch seconds: when the sign-in happened (a sign-out-everywhere ends every earlier one). */
  startedAt: number;
  /** Epoch seconds: when the token this session was presented with expires. */
  expiresAt: number;
}

export const ADMIN_GROUP = 'admin';

const epochSeconds = (value: unknown): number | undefined => {
  const number = typeof value === 'string' && value !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
};
const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The session an access token stands for; undefined for anything else: ID tokens (API
 * Gateway's JWT authorizer accepts them, since their `aud` is the client id), tokens
 * without `exp`, a subject or an id. Claims may be strings (API Gateway renders them so).
 */
export function sessionFromClaims(claims: Record<string, unknown> | undefined): Session | undefined {
  if (claims?.token_use !== 'access') return undefined;
  const userId = nonEmpty(claims.sub);
  const id = nonEmpty(claims.origin_jti) ?? nonEmpty(claims.jti);
  const expiresAt = epochSeconds(claims.exp);
  const startedAt = epochSeconds(claims.auth_time) ?? epochSeconds(claims.iat);
  if (!userId || !id || !expiresAt || !startedAt) return undefined;
  return { userId, id, startedAt, expiresAt };
}
