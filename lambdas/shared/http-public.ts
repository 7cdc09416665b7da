/**
 * The handler chain of public HTTP routes (health, docs, sign-up and sign-in): no session to
 * check, so their bundles carry neither the profile read nor its DynamoDB client.
 */
import type { HttpRouteKey, httpRoutes } from '../routes.ts';
import type { CompiledHttpRoute } from './compiled.ts';
import { createHttpHandler, type HttpAnswer, type HttpRequest } from './http-chain.ts';

type PublicRouteKey = {
  [K in HttpRouteKey]: (typeof httpRoutes)[K]['access'] extends 'public' ? K : never;
}[HttpRouteKey];

export const publicHttpHandler = <K extends PublicRouteKey>(
  route: CompiledHttpRoute<K>,
  run: (request: HttpRequest<K>) => Promise<HttpAnswer>,
) => createHttpHandler(route, run);
