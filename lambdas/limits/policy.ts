/**
 * The per-user rate limits, declared once: the limiter, the route table, the tests and docs/security.md read them.
 * Each is sized from what a real customer and a busy admin do, with room to spare, so that only a
 * script reaches it.
 */
export const LIMITS = {
  /** Chat messages: 20 per 10 s (a fast typist, with room for a burst of pasted lines). */
  chatMessage: { limit: 20, windowSeconds: 10, what: 'messages' },
  /** Order writes (place, edit, status change): 60 per minute. */
  orderWrite: { limit: 60, windowSeconds: 60, what: 'order changes' },
  /**
   * WebSocket tickets: 20 per minute. A client needs one per connection: a tab opening, a page
   * reload, a reconnect after a drop (backoff spaces those out) and one each 15 minutes when its
   * token is renewed.
   */
  chatTicket: { limit: 20, windowSeconds: 60, what: 'WebSocket tickets' },
  /**
   * joinRoom frames: 30 per minute. Opening an order joins its room; a reconnect re-joins the rooms
   * of that connection, and every answer is up to 128 KB of history.
   */
  /**
   * Read markers: 120 per minute. A client marks a room read as messages arrive in it while it is
   * shown (the other side writes at most 20 per 10 s), and when it is opened.
   */
  readMark: { limit: 120, windowSeconds: 60, what: 'read markers' },
  roomJoin: { limit: 30, windowSeconds: 60, what: 'room joins' },
  /**
   * Typing notices, per connection (not per user: each tab types on its own): 6 per 10 s. A client
   * sends one at most every 3 s while its user types.
   */
  typing: { limit: 6, windowSeconds: 10, what: 'typing notices' },
  /** Notification preferences changed: 30 per minute (a person ticks a few boxes). */
  preferenceChange: { limit: 30, windowSeconds: 60, what: 'preference changes' },
  /**
   * Pages of a room or an order's history over HTTP (each up to 1 MB): 60 per minute, one a second
   * for a person scrolling back through a long conversation.
   */
  pageRead: { limit: 60, windowSeconds: 60, what: 'page reads' },
  /**
   * Files opened (each a link to one): 300 per minute. A conversation shows its photos as it is
   * read, each a request.
   */
  attachmentOpen: { limit: 300, windowSeconds: 60, what: 'files opened' },
  /**
   * Failed sign-ins per e-mail address: after 10 in 15 minutes the address is refused until the
   * window ends, the right password included (a guess that is right must not be told apart).
   */
  failedSignIn: { limit: 10, windowSeconds: 900, what: 'failed sign-ins for this address' },
  /**
   * E-mails with a code per address (sign-up, a new code, a password reset): 5 per hour. A person
   * asks again when one is slow to come; a script can't make the product flood someone's inbox.
   */
  codeSent: { limit: 5, windowSeconds: 3600, what: 'codes sent to this address' },
  /** Codes tried per address (right or wrong): 10 per 15 minutes, far too few to guess a 6-digit code. */
  codeAttempt: { limit: 10, windowSeconds: 900, what: 'code attempts for this address' },
  /**
   * Setting up an authenticator app: 10 starts per 15 minutes (each makes a new secret in Cognito);
   * a person scans once, or twice when the first scan failed.
   */
  totpSetup: { limit: 10, windowSeconds: 900, what: 'authenticator app set-ups' },
} as const;

export type LimitKind = keyof typeof LIMITS;

/** Open WebSockets per user (tabs and devices): a new one past this is refused with 429 at $connect. */
export const MAX_CONNECTIONS_PER_USER = 10;

/** Rooms one connection may be joined to at once (a page joins one; a client leaves what it closes). */
export const MAX_ROOMS_PER_CONNECTION = 20;

/**
 * Files one user may upload a day (UTC): 100 and 500 MB, counted when an upload is asked for. A
 * customer sends a few photos and documents an order; an admin answering many orders stays far below.
 */
export const ATTACHMENT_DAILY = { count: 100, bytes: 500 * 1024 * 1024 } as const;
