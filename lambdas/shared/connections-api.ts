/**
 * The one way a frame reaches a WebSocket client: PostToConnection with a hard
 * deadline (one hanging call must not hold a Lambda until its own timeout) and
 * one jittered retry when API Gateway throttles. A 410 Gone is an answer, not
 * an error: the client vanished.
 *
 * @example if ((await postToConnection(id, JSON.stringify(frame))) === 'gone') forget(id);
 */
import {
  DeleteConnectionCommand,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { connectionsApi } from './connections-client.ts';
import { readEnv } from './env.ts';

const env = /* @__PURE__ */ readEnv({ WS_CALLBACK_URL: { url: true } });

export const CALL_TIMEOUT_MS = 3000;

export class CallTimeout extends Error {
  override name = 'CallTimeout';
}

/** The deadline is ours, not only the transport's: the abort also cancels the HTTP request. */
async function sendWithDeadline(command: PostToConnectionCommand | DeleteConnectionCommand): Promise<void> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new CallTimeout(`${command.constructor.name} took over ${CALL_TIMEOUT_MS} ms`));
    }, CALL_TIMEOUT_MS);
  });
  try {
    const client = connectionsApi(env.WS_CALLBACK_URL);
    await Promise.race([client.send(command as PostToConnectionCommand, { abortSignal: abort.signal }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function postToConnection(connectionId: string, data: string): Promise<'delivered' | 'gone'> {
  const command = new PostToConnectionCommand({ ConnectionId: connectionId, Data: data });
  for (let attempt = 0; ; attempt++) {
    try {
      await sendWithDeadline(command);
      return 'delivered';
    } catch (error) {
      if (error instanceof GoneException) return 'gone';
      // Throttled (rate or the client's buffer): one jittered retry, then the caller sees the error.
      if (error instanceof LimitExceededException && attempt === 0) {
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
        continue;
      }
      throw error;
    }
  }
}

/** Closes a connection (its $disconnect follows); one already gone is fine. */
export async function closeConnection(connectionId: string): Promise<void> {
  try {
    await sendWithDeadline(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  } catch (error) {
    if (!(error instanceof GoneException)) throw error;
  }
}
