/**
 * What the other modules call when something may need an e-mail later: a room's message, status
 * change or close, or a new order. The stage's timing comes from its configuration
 * (lib/config.ts; offline, the runtime's options), never from the caller.
 */
import type { Side } from '../chat/conversation.ts';
import { readEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import type { Reason, Timing } from './notification.ts';
import { schedule, scheduleParams } from './repository.ts';

const env = /* @__PURE__ */ readEnv({
  NOTIFY_DELAY_SECONDS: { optional: true },
  NOTIFY_GAP_SECONDS: { optional: true },
  NOTIFY_RETRY_SECONDS: { optional: true },
});

export const timing = (): Timing => ({
  delaySeconds: Number(env.NOTIFY_DELAY_SECONDS ?? 300),
  minGapSeconds: Number(env.NOTIFY_GAP_SECONDS ?? 1800),
  retrySeconds: Number(env.NOTIFY_RETRY_SECONDS ?? 30),
});

/** A transaction item: `side` of the room hears of `reason` after the delay unless it reads it first. */
export const notifyLaterParams = (roomId: string, side: Side, reason: Reason, at: Date) => ({
  Update: scheduleParams(roomId, side, [reason], at, timing().delaySeconds),
});

/**
 * The same, on its own, after the event was stored (a status change, a close, a new order): the
 * event stands whatever happens here, so a failure is logged, never reported as the event's.
 */
export async function notifyLater(roomId: string, side: Side, reasons: readonly Reason[]): Promise<void> {
  try {
    await schedule(roomId, side, reasons, timing().delaySeconds);
  } catch (error) {
    logger.error('An e-mail for whoever is away could not be scheduled', {
      roomId,
      side,
      reasons,
      error: (error as Error).name,
    });
  }
}
