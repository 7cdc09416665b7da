/**
 * Runs handler modules in-process from their TypeScript sources, the way the
 * Lambda runtime would: each function gets module instances of its own (its
 * own logger and module-scope clients, reused like in a warm container; see
 * module-hooks.mjs), a Context object, and a deadline after which the caller
 * stops waiting. With `watch`, an edit under lambdas/ takes effect on the next
 * invocation: the next load is a new generation of every module under lambdas/.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, watch } from 'node:fs';
import { register } from 'node:module';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { Permissions } from '#lambdas/routes.ts';
import { withPermissions } from './iam.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws.ts';

export type Handler = (event: unknown, context: Context) => Promise<unknown>;
export type HandlerLoader = (name: string) => Promise<Handler>;

export class InvocationTimeout extends Error {
  constructor(readonly handlerName: string) {
    super(`Handler ${handlerName} timed out`);
  }
}

/**
 * Lambda's synchronous invocation payload quota, for the event and for the result alike (6 MB:
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Over it, Lambda refuses
 * the call (the event) or fails it (the result), and API Gateway answers with an error of its own.
 */
export const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

export class PayloadTooLarge extends Error {
  constructor(
    readonly handlerName: string,
    readonly which: 'event' | 'result',
    bytes: number,
  ) {
    super(`The ${which} of ${handlerName} is ${bytes} bytes: Lambda takes at most ${LAMBDA_PAYLOAD_BYTES}`);
  }
}

const payloadBytes = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value)));

const lambdasRoot = resolve(import.meta.dirname, '..', 'lambdas');
register('./module-hooks.mjs', import.meta.url);

/** What each freshly loaded function's modules need before their first invocation (e.g. IAM guards). */
export type OnLoad = (importOwn: (modulePath: string) => Promise<unknown>) => Promise<void>;

/** Loads generation `generation` of `lambdas/handlers/<name>.ts` and returns its `handler` export. */
export async function loadHandlerModule(name: string, generation = 0, onLoad?: OnLoad): Promise<Handler> {
  const query = `?${new URLSearchParams({ lambda: name, v: String(generation) })}`;
  const own = (path: string) => import(`${pathToFileURL(resolve(lambdasRoot, path)).href}${query}`);
  const module = (await own(`handlers/${name}.ts`)) as { handler?: Handler };
  if (typeof module.handler !== 'function') throw new Error(`lambdas/handlers/${name}.ts exports no handler`);
  await onLoad?.(own);
  return module.handler;
}

function lambdaContext(functionName: string, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
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
  const eventBytes = payloadBytes(event);
  if (eventBytes > LAMBDA_PAYLOAD_BYTES) throw new PayloadTooLarge(name, 'event', eventBytes);
  const handler = await loader(name);
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InvocationTimeout(name)), timeoutMs);
  });
  try {
    const functionName = name.replace(/\W/g, '-');
    const run = () => handler(event, lambdaContext(functionName, deadline));
    const result = await Promise.race([permissions ? withPermissions(functionName, permissions, run) : run(), timeout]);
    const resultBytes = payloadBytes(result);
    if (resultBytes > LAMBDA_PAYLOAD_BYTES) throw new PayloadTooLarge(name, 'result', resultBytes);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Memoises module loading so each handler is imported once, like a warm container. With `watch`,
 * a change under lambdas/ starts a new generation: every function loads fresh code on its next
 * invocation (a cold start), and one that no longer compiles fails that invocation, not the runtime.
 */
export function cachedLoader(
  options: { onLoad?: OnLoad; watch?: boolean; log?: (message: string) => void } = {},
): HandlerLoader & { close(): void } {
  const cache = new Map<string, Promise<Handler>>();
  let generation = 0;
  // One watch per folder, not { recursive: true }: Node's recursive watch on Linux follows files,
  // and loses one an editor saves by renaming a new copy over it.
  const watchers = options.watch
    ? foldersUnder(lambdasRoot).map((folder) =>
        watch(folder, (_event, file) => {
          if (!file || !/\.(ts|json)$/.test(file)) return;
          if (cache.size)
            options.log?.(`${relative(resolve(lambdasRoot, '..'), resolve(folder, file))} changed: reloading handlers`);
          generation++;
          cache.clear();
        }).unref(),
      )
    : [];
  const loader = (name: string) => {
    let handler = cache.get(name);
    if (!handler) {
      handler = loadHandlerModule(name, generation, options.onLoad);
      cache.set(name, handler);
      handler.catch(() => cache.delete(name));
    }
    return handler;
  };
  return Object.assign(loader, { close: () => watchers.forEach((w) => w.close()) });
}

function foldersUnder(folder: string): string[] {
  return [
    folder,
    ...readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => foldersUnder(resolve(folder, entry.name))),
  ];
}
