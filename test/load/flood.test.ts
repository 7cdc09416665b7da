// Load: one user flooding a socket while another reads an order. Its own project (vitest.config.ts)
// runs after every other test, on its own runtime, so the bystander's latency measures this flood
// and nothing else on the machine.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '#lambdas/limits/policy.ts';
import { api, newUser, placeOrder, runtime, storedMessages, type Session } from '../e2e/support.ts';

const order = (session: Session) => placeOrder(session, 'Flood order');

async function latencies(session: Session, path: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(`${runtime.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    await response.text();
    expect(response.status).toBe(200);
    times.push(performance.now() - started);
  }
  return times;
}
const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;

describe('a flood from one socket', () => {
  it('is refused before anything is stored, acknowledges exactly what it stored, and leaves others their speed', async () => {
    const [flooder, bystander] = await Promise.all([newUser('flooder'), newUser('bystander')]);
    const [{ id: floodRoom }, { id: quietOrder }] = await Promise.all([order(flooder), order(bystander)]);
    const quietPath = `/orders/${quietOrder}`;
    await latencies(bystander, quietPath, 20); // warm up
    const baseline = p99(await latencies(bystander, quietPath, 100));

    const ticket = (await api('POST', '/chat/tickets', { token: flooder.accessToken })).body.ticket;
    const flood = spawn(process.execPath, [resolve(import.meta.dirname, '../support/flood.ts')], {
      env: {
        ...process.env,
        FLOOD_URL: `${runtime.wsUrl}?ticket=${encodeURIComponent(ticket)}`,
        FLOOD_ROOM: floodRoom,
        FLOOD_COUNT: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    flood.stdout.on('data', (chunk: Buffer) => (output += chunk));
    await once(flood.stderr, 'data'); // "flooding"
    const during = p99(await latencies(bystander, quietPath, 100));
    await once(flood, 'exit');
    const frames = JSON.parse(output) as any[];

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
    expect(during).toBeLessThanOrEqual(3 * baseline);
  });
});
