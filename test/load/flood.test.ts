// Load: one user flooding a socket, on a runtime this file boots for itself (a flood spends the stage
// throttle, which every client of a runtime shares). What is stored is
// exactly what was acknowledged, and everything past the limit is refused. The other users' latency
// meanwhile is a speed target, so `npm run bench` measures it (section 6) with nothing else running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '#lambdas/limits/policy.ts';
import { newUser, placeOrder, runtime, storedMessages, useRuntime, type Session } from '../e2e/support.ts';
import { spawnRuntime } from '../support/runtime-process.ts';
import { measureFlood } from '../support/flood-measure.ts';

const order = (session: Session) => placeOrder(session, 'Flood order');

// 2,000 refusals would be 2,000 lines of request log.
const own = spawnRuntime({ POWERTOOLS_LOG_LEVEL: 'ERROR', REQUEST_LOG: 'off' });
beforeAll(async () => useRuntime(await own.ready));
afterAll(() => own.stop());

describe('a flood from one socket', () => {
  it('is refused before anything is stored, and acknowledges exactly what it stored', async () => {
    const [flooder, bystander] = await Promise.all([newUser('flooder'), newUser('bystander')]);
    const [{ id: floodRoom }, { id: quietOrder }] = await Promise.all([order(flooder), order(bystander)]);
    const startedMs = Date.now();
    const { frames } = await measureFlood({
      httpUrl: runtime.httpUrl,
      wsUrl: runtime.wsUrl,
      flooderToken: flooder.accessToken,
      floodRoom,
      readerToken: bystander.accessToken,
      readerOrder: quietOrder,
    });

    const endedMs = Date.now();
    const stored = await storedMessages(flooder, floodRoom);
    const acked = new Set(frames.filter((f) => f.type === 'newMessage').map((f) => f.message.clientMessageId));
    expect(stored.length).toBeGreaterThan(0);
    // Fixed windows: a flood gets each window's quota that it reaches (two, usually; more on a machine
    // slow enough that the flood outlasts a window).
    const windowMs = LIMITS.chatMessage.windowSeconds * 1000;
    const windows = Math.floor(endedMs / windowMs) - Math.floor(startedMs / windowMs) + 1;
    expect(stored.length).toBeLessThanOrEqual(windows * LIMITS.chatMessage.limit);
    // Acknowledged if and only if stored.
    expect([...acked].sort()).toEqual(stored.map((m) => m.clientMessageId).sort());
    const refusals = frames.filter((f) => f.type === 'error' || f.message === 'Too Many Requests');
    expect(refusals.length + acked.size).toBe(2000);
    expect(frames.filter((f) => f.type === 'error').every((f) => f.status === 429 && f.retryAfter >= 1)).toBe(true);
    expect(frames.some((f) => /server error|timed out/.test(String(f.message)))).toBe(false);
  });
});
