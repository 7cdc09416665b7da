// Unit: the local gateways' stage throttle (local/gateway-common.ts, routeThrottle): API Gateway
// applies a stage's default route throttle to each route on its own.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { routeThrottle } from '#local/gateway-common.ts';

afterEach(() => vi.useRealTimers());

describe('the local stage throttle', () => {
  it('gives every route its own burst and rate: a flood of one leaves the others theirs', () => {
    vi.useFakeTimers({ now: 0 });
    const throttle = routeThrottle({ rateLimit: 10, burstLimit: 5 });
    const taken = (route: string, times: number) => Array.from({ length: times }, () => throttle.take(route));
    expect(taken('POST /chat/tickets', 7)).toEqual([true, true, true, true, true, false, false]);
    expect(taken('GET /orders/{id}', 5).every(Boolean)).toBe(true);
    // 10 a second refill the flooded route's bucket, one token every 100 ms.
    vi.advanceTimersByTime(100);
    expect(taken('POST /chat/tickets', 2)).toEqual([true, false]);
  });
});
