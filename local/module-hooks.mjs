// Module resolution hook for the local runtime (registered by local/lambda-runner.ts). A handler is
// imported as `lambdas/handlers/x.ts?lambda=<name>&v=<generation>`; every module under lambdas/ it
// imports, directly or not, gets the same query, so each function has module instances of its own
// (its own logger and clients, as in its own Lambda container), and a new generation after an edit
// loads fresh code. Modules outside lambdas/ (node_modules) stay shared.
import { URL } from 'node:url';

const lambdasRoot = new URL('../lambdas/', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const parent = context.parentURL ? new URL(context.parentURL) : undefined;
  if (!parent?.searchParams.has('lambda') || !resolved.url.startsWith(lambdasRoot)) return resolved;
  const url = new URL(resolved.url);
  url.search = parent.search;
  return { ...resolved, url: url.href };
}
