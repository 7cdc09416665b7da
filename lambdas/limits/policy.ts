/** The per-user rate limits, declared once: the limiter, the route table, the tests and README read them. */
export const LIMITS = {
  /** Chat messages: 20 per 10 s (a fast typist, with room for a burst of pasted lines). */
  chatMessage: { limit: 20, windowSeconds: 10 },
  /** Order writes (place, edit, status change): 60 per minute. */
  orderWrite: { limit: 60, windowSeconds: 60 },
} as const;

export type LimitKind = keyof typeof LIMITS;
