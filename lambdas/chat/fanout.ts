/**
 * Sends frames to many connections, each connection its frames in order.
 * Connections are served in parallel, at most CONCURRENCY at a time, each with its own deadline so one
 * hanging call can't hold the broadcast until the Lambda times out. A 410
 * Gone means the client vanished without $disconnect: its connection is
 * deleted and the fan-out carries on. Other failures are logged and counted;
 * nothing is lost because messages are stored before they are sent.
 */
import { postToConnection } from '../shared/connections-api.ts';
import { logger } from '../shared/logger.ts';
import { deleteConnection, roomMembers } from './connections-repository.ts';

// @connections calls share the account's 10,000 requests/s API Gateway quota with all API traffic.
export const CONCURRENCY = 20;

/** Frames delivered and failed; connections found gone (the rest of their frames are not sent). */
export interface FanoutResult {
  delivered: number;
  gone: number;
  failed: number;
}

export async function sendToConnections(
  connectionIds: readonly string[],
  frames: readonly unknown[],
): Promise<FanoutResult> {
  const data = frames.map((frame) => JSON.stringify(frame));
  const result: FanoutResult = { delivered: 0, gone: 0, failed: 0 };
  const queue = [...new Set(connectionIds)];
  const sendAll = async (connectionId: string) => {
    for (const frame of data) {
      try {
        if ((await postToConnection(connectionId, frame)) === 'gone') {
          result.gone++;
          await deleteConnection(connectionId).catch((error: unknown) =>
            logger.warn('Could not delete a stale connection', { connectionId, error: (error as Error).message }),
          );
          return;
        }
        result.delivered++;
      } catch (error) {
        result.failed++;
        logger.warn('PostToConnection failed', { connectionId, error: (error as Error).name });
      }
    }
  };
  // A ten-line worker pool rather than p-limit: one dependency less in every function that fans out.
  const worker = async () => {
    for (let connectionId = queue.shift(); connectionId !== undefined; connectionId = queue.shift()) {
      await sendAll(connectionId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  if (result.failed || result.gone) logger.info('Fan-out finished with losses', { ...result });
  return result;
}

/** Every connection joined to the room gets the frames, in order (one Query for the members). */
export async function broadcastToRoom(roomId: string, frames: readonly unknown[]): Promise<FanoutResult> {
  return sendToConnections(await roomMembers(roomId), frames);
}
