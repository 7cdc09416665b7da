/**
 * How every AWS call of a function is bounded. Each client lives in a module of its own
 * (dynamo-client.ts, cognito-client.ts, connections-client.ts), created once per container so
 * connections and credentials are reused across warm invocations, and bundled only into the
 * functions that use it. Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE> variables,
 * which is how the local runtime points the very same code at DynamoDB Local and the emulator.
 */
/**
 * Every call is bounded well below the functions' 10 s timeout (and API Gateway's
 * 29 s): at most two attempts, a connection that can't be opened gives up after
 * 1 s, and the whole call (retries included) after CALL_DEADLINE_MS, so a hung
 * dependency is answered 503 in about 3 s.
 */
export const CALL_LIMITS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 1500, throwOnRequestTimeout: true },
} as const;
export const CALL_DEADLINE_MS = 3000;

class CallDeadlineExceeded extends Error {
  override name = 'TimeoutError';
}

type Stack = { middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void } };

/**
 * The SDK's own request timeout only warns in some transports; this deadline is
 * ours and certain. (A write that was cut off may still land: writes that matter
 * carry an idempotency token or a condition, so a retry never duplicates.)
 */
export function withDeadline<C extends Stack>(client: C): C {
  const middleware =
    (next: (args: unknown) => Promise<unknown>) =>
    async (args: unknown): Promise<unknown> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CallDeadlineExceeded(`No answer within ${CALL_DEADLINE_MS} ms`)),
          CALL_DEADLINE_MS,
        );
      });
      try {
        return await Promise.race([next(args), deadline]);
      } finally {
        clearTimeout(timer);
      }
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'callDeadline' });
  return client;
}
