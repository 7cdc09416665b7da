/**
 * Sends one frame to many connections. PostToConnection calls go out in
 * parallel, at most CONCURRENCY at a time, each with its own deadline so one
 * hanging call can't hold the broadcast until the Lambda times out. A 410
 * Gone means the client vanished without $disconnect: its connection is
 * deleted and the fan-out carries on. Other failures are logged and counted;
 * nothing is lost because messages are stored before they are sent.
 */
import {
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { z } from 'zod';
import { connectionsApi } from '../shared/clients.ts';
import { readEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { deleteConnection, roomMembers } from './connections-repository.ts';

const env = readEnv({ WS_CALLBACK_URL: z.url() });

// @connections calls share the account's 10,000 requests/s API Gateway quota with all API traffic.
export const CONCURRENCY = 20;
export const CALL_TIMEOUT_MS = 3000;

export interface FanoutResult {
  delivered: number;
  gone: number;
  failed: number;
}

export class CallTimeout extends Error {
  override name = 'CallTimeout';
}

/** The deadline is ours, not only the transport's: the abort also cancels the HTTP request. */
async function postWithDeadline(command: PostToConnectionCommand): Promise<void> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new CallTimeout(`PostToConnection took over ${CALL_TIMEOUT_MS} ms`));
    }, CALL_TIMEOUT_MS);
  });
  try {
    await Promise.race([connectionsApi(env.WS_CALLBACK_URL).send(command, { abortSignal: abort.signal }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function postOnce(connectionId: string, data: string): Promise<'delivered' | 'gone'> {
  const command = new PostToConnectionCommand({ ConnectionId: connectionId, Data: data });
  for (let attempt = 0; ; attempt++) {
    try {
      await postWithDeadline(command);
      return 'delivered';
    } catch (error) {
      if (error instanceof GoneException) return 'gone';
      // Throttled (rate or the client's buffer): one jittered retry, then it counts as failed.
      if (error instanceof LimitExceededException && attempt === 0) {
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
        continue;
      }
      throw error;
    }
  }
}

export async function sendToConnections(connectionIds: readonly string[], frame: unknown): Promise<FanoutResult> {
  const data = JSON.stringify(frame);
  const result: FanoutResult = { delivered: 0, gone: 0, failed: 0 };
  const queue = [...new Set(connectionIds)];
  const worker = async () => {
    for (let connectionId = queue.shift(); connectionId !== undefined; connectionId = queue.shift()) {
      try {
        if ((await postOnce(connectionId, data)) === 'gone') {
          result.gone++;
          await deleteConnection(connectionId).catch((error: unknown) =>
            logger.warn('Could not delete a stale connection', { connectionId, error: (error as Error).message }),
          );
        } else result.delivered++;
      } catch (error) {
        result.failed++;
        logger.warn('PostToConnection failed', { connectionId, error: (error as Error).name });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  if (result.failed || result.gone) logger.info('Fan-out finished with losses', { ...result });
  return result;
}

/** Every connection joined to the room gets the frame (one Query for the members). */
export async function broadcastToRoom(roomId: string, frame: unknown): Promise<FanoutResult> {
  return sendToConnections(await roomMembers(roomId), frame);
}
