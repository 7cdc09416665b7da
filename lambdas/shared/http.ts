/**
 * The handler chain of signed-in HTTP routes (http-chain.ts with the session check).
 *
 * @example
 * export const handler = httpHandler(GET_orders_id, async ({ params, caller }) => ({ status: 200, body: … }));
 */
import type { HttpRouteKey } from '../routes.ts';
import { sessionFromClaims } from './caller.ts';
import type { CompiledHttpRoute } from './compiled.ts';
import { UnauthorizedError } from './errors.ts';
import { actingCaller } from '../users/session.ts';
import { createHttpHandler, type Authenticate, type HttpAnswer, type HttpRequest } from './http-chain.ts';

export { problemResponse, SECURITY_HEADERS, type HttpAnswer, type HttpEvent, type HttpRequest } from './http-chain.ts';

/**
 * Authorization from the current state, not from claims: the token says which
 * session this is; the profile says whether that session still lives (logout,
 * sign-out-everywhere, deletion) and which role it acts with. ID tokens, which
 * API Gateway's JWT authorizer lets through, and tokens without `exp` are refused.
 */
const authenticate: Authenticate = async (route, event) => {
  const session = sessionFromClaims(event.requestContext.authorizer?.jwt?.claims);
  if (!session) throw new UnauthorizedError('Send an access token (not an ID token) as the Bearer token.');
  // API Gateway's JWT authorizer took the token from this header: it is there, and well formed.
  const accessToken = /^Bearer (\S+)$/i.exec(event.headers.authorization ?? '')?.[1];
  return { caller: await actingCaller(session, route, 'Only admins may call this route.'), session, accessToken };
};

export const httpHandler = <K extends HttpRouteKey>(
  route: CompiledHttpRoute<K>,
  run: (request: HttpRequest<K>) => Promise<HttpAnswer>,
) => createHttpHandler(route, run, authenticate);
