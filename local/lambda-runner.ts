/**
 * Runs handler modules in-process from their TypeScript sources, the way the
 * Lambda runtime would: one module instance per handler (so module-scope
 * clients are reused like in a warm container), a Context object, and a
 * deadline after which the caller stops waiting.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { Permissions } from '#lambdas/routes.ts';
import { withPermissions } from './iam.ts';

export type Handler = (event: unknown, context: Context) => Promise<unknown>;
export type HandlerLoader = (name: string) => Promise<Handler>;

export class InvocationTimeout extends Error {
  constructor(readonly handlerName: string) {
    super(`Handler ${handlerName} timed out`);
  }
}

const handlersRoot = resolve(import.meta.dirname, '..', 'lambdas', 'handlers');

/** Loads `lambdas/handlers/<name>.ts` and returns its `handler` export. */
export const loadHandlerModule: HandlerLoader = async (name) => {
  const module = (await import(pathToFileURL(resolve(handlersRoot, `${name}.ts`)).href)) as { handler?: Handler };
  if (typeof module.handler !== 'function') throw new Error(`lambdas/handlers/${name}.ts exports no handler`);
  return module.handler;
};

function lambdaContext(functionName: string, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Invoke with a deadline; rejects with InvocationTimeout when the handler is
 * too slow. With `permissions`, AWS calls outside them are refused (local/iam.ts).
 */
export async function invoke(
  loader: HandlerLoader,
  name: string,
  event: unknown,
  timeoutMs: number,
  permissions?: Permissions,
): Promise<unknown> {
  const handler = await loader(name);
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InvocationTimeout(name)), timeoutMs);
  });
  try {
    const functionName = name.replace(/\W/g, '-');
    const run = () => handler(event, lambdaContext(functionName, deadline));
    return await Promise.race([permissions ? withPermissions(functionName, permissions, run) : run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Memoises module loading so each handler is imported once, like a warm container. */
export function cachedLoader(load: HandlerLoader = loadHandlerModule): HandlerLoader {
  const cache = new Map<string, Promise<Handler>>();
  return (name) => {
    let handler = cache.get(name);
    if (!handler) {
      handler = load(name);
      cache.set(name, handler);
      handler.catch(() => cache.delete(name));
    }
    return handler;
  };
}
