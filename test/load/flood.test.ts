// Load: one user flooding a socket while another reads an order. Its own project (vitest.config.ts)
// runs after every other test, on its own runtime: what is stored is exactly what was acknowledged,
// and the reader's latency stays in bounds (the 3× target itself: `npm run bench`).
import { describe, expect, it } from 'vitest';
import { LIMITS } from '#lambdas/limits/policy.ts';
import { newUser, placeOrder, runtime, storedMessages, type Session } from '../e2e/support.ts';
import { measureFlood } from '../support/flood-measure.ts';

const order = (session: Session) => placeOrder(session, 'Flood order');

describe('a flood from one socket', () => {
  it('is refused before anything is stored, acknowledges exactly what it stored, and leaves others their speed', async () => {
    const [flooder, bystander] = await Promise.all([newUser('flooder'), newUser('bystander')]);
    const [{ id: floodRoom }, { id: quietOrder }] = await Promise.all([order(flooder), order(bystander)]);
    const {
      quietP99: baseline,
      floodP99: during,
      frames,
    } = await measureFlood({
      httpUrl: runtime.httpUrl,
      wsUrl: runtime.wsUrl,
      flooderToken: flooder.accessToken,
      floodRoom,
      readerToken: bystander.accessToken,
      readerOrder: quietOrder,
    });

    const stored = await storedMessages(flooder, floodRoom);
    const acked = new Set(frames.filter((f) => f.type === 'newMessage').map((f) => f.message.clientMessageId));
    console.log(
      `flood: ${stored.length} stored, ${acked.size} acked; bystander p99 ${baseline.toFixed(1)} → ${during.toFixed(1)} ms`,
    );
    expect(stored.length).toBeGreaterThan(0);
    // Fixed windows: a flood that straddles a window boundary may use two windows' quota.
    expect(stored.length).toBeLessThanOrEqual(2 * LIMITS.chatMessage.limit);
    // Acknowledged if and only if stored.
    expect([...acked].sort()).toEqual(stored.map((m) => m.clientMessageId).sort());
    const refusals = frames.filter((f) => f.type === 'error' || f.message === 'Too Many Requests');
    expect(refusals.length + acked.size).toBe(2000);
    expect(frames.filter((f) => f.type === 'error').every((f) => f.status === 429 && f.retryAfter >= 1)).toBe(true);
    expect(frames.some((f) => /server error|timed out/.test(String(f.message)))).toBe(false);
    // The target (≤ 3× the quiet p99, issue 11) is measured by `npm run bench`, as speed targets are;
    // here only a tripwire for a regression to the seconds seen before the fix.
    expect(during).toBeLessThanOrEqual(10 * baseline);
  });
});
