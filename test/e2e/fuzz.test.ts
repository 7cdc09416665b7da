// End-to-end: a seconds-long sample of `npm run fuzz` (test/fuzz), so the fuzzer can't rot.
import { describe, expect, it } from 'vitest';
import { fuzz, storedItems } from '../fuzz/fuzz.ts';
import { runtime } from './support.ts';

describe('fuzz sample', () => {
  it('answers 300 random requests and 200 random frames without a 5xx, storing only what it answered', async () => {
    const result = await fuzz(runtime, { http: 300, frames: 200 });
    const stored = await storedItems(runtime, result.userIds);
    expect(result.serverErrors).toEqual([]);
    expect(result.requests).toBe(300);
    expect([...stored.orders].filter((id) => !result.created.has(id))).toEqual([]);
    expect([...stored.messages].filter((id) => !result.acked.has(id))).toEqual([]);
  }, 60_000);
});
