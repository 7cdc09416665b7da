// End-to-end: a seconds-long sample of `npm run fuzz` (test/fuzz), so the fuzzer can't rot.
import { describe, expect, inject, it } from 'vitest';
import { fuzz, storedItems, unacknowledged } from '../fuzz/fuzz.ts';
import { runtime } from './support.ts';

describe('fuzz sample', () => {
  it('answers 200 generated requests and 120 generated frames without a 5xx, storing only what it answered', async () => {
    const result = await fuzz(runtime, { http: 200, frames: 120 });
    const stored = await storedItems(runtime, result.userIds, inject('localAwsSecret'));
    const replay = `replay with seed ${result.seed}`;
    expect(result.serverErrors, replay).toEqual([]);
    expect(result.requests).toBe(200);
    // Most requests are valid by the route table's schemas: some must get through to the domain.
    const accepted = Object.entries(result.statuses).filter(([status]) => status.startsWith('2'));
    expect(
      accepted.reduce((sum, [, n]) => sum + n, 0),
      replay,
    ).toBeGreaterThan(20);
    expect(
      [...stored.orders].filter((id) => !result.created.has(id)),
      replay,
    ).toEqual([]);
    expect(unacknowledged(stored, result), replay).toEqual([]);
  }, 60_000);
});
