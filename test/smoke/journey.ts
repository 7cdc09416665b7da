/**
 * One user journey, end to end, against any Order Chat: sign in as an admin, register, sign in, place an order, get
 * WebSocket tickets, connect through the public URL with the headers a browser sends, chat between
 * the customer and an admin, close the room, see the order in PROCESSING, sign out, clean up.
 * Every step reports its latency; the first that fails stops the journey (and the smoke user is
 * deleted all the same). Used by `npm run smoke`
 * (test/smoke/run.ts) and, against the local runtime, inside `npm test`.
 */
import { randomUUID } from 'node:crypto';
import { codeFor } from '../support/mailbox.ts';
import WebSocket from 'ws';

export interface SmokeTarget {
  /** Base HTTP(S) URL, no trailing slash. */
  httpUrl: string;
  /** WS(S) URL of the WebSocket API (`…/local` offline, `wss://…/ws` deployed). */
  wsUrl: string;
  /** The Origin a browser on the web app would send (one of the stage's CORS origins). */
  origin: string;
  admin: { email: string; password: string };
  /**
   * Where sign-up codes arrive (the local runtime's mailbox): the journey registers a customer and
   * confirms it with the code. A deployed stage's e-mail goes to real inboxes, so there the
   * journey signs in as `customer` instead, an account confirmed beforehand.
   */
  mailboxUrl?: string;
  customer?: { email: string; password: string };
}

export interface StepResult {
  step: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

/** A browser's User-Agent shape: the deployed WAF blocks requests without one (docs/deploying.md, "Clients"). */
export const SMOKE_USER_AGENT = 'Mozilla/5.0 (compatible; order-chat-smoke/1.0; +npm run smoke)';
const FRAME_TIMEOUT_MS = 10_000;

class SmokeFailure extends Error {}

async function call(
  target: SmokeTarget,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; expect: number },
): Promise<any> {
  const response = await fetch(`${target.httpUrl}${path}`, {
    method,
    headers: {
      'user-agent': SMOKE_USER_AGENT,
      origin: target.origin,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== options.expect) {
    throw new SmokeFailure(
      `${method} ${path} → ${response.status} (expected ${options.expect}): ${text.slice(0, 300)}`,
    );
  }
  return text ? JSON.parse(text) : undefined;
}

/** A socket whose frames queue until a step waits for one. */
class Socket {
  private frames: any[] = [];
  private waiting: { match: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      const waiter = this.waiting.find((w) => w.match(frame));
      if (waiter) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve(frame);
      } else this.frames.push(frame);
    });
  }

  static open(target: SmokeTarget, ticket: string): Promise<Socket> {
    const socket = new WebSocket(`${target.wsUrl}?ticket=${encodeURIComponent(ticket)}`, {
      headers: { 'user-agent': SMOKE_USER_AGENT, origin: target.origin },
      handshakeTimeout: 15_000,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Socket(socket)));
      socket.once('unexpected-response', (_request, response) =>
        reject(new SmokeFailure(`WebSocket upgrade refused with ${response.statusCode}`)),
      );
      socket.once('error', (error) => reject(new SmokeFailure(`WebSocket: ${error.message}`)));
    });
  }

  send(frame: unknown) {
    this.socket.send(JSON.stringify(frame));
  }

  next(what: string, match: (frame: any) => boolean): Promise<any> {
    const queued = this.frames.find(match);
    if (queued) {
      this.frames.splice(this.frames.indexOf(queued), 1);
      return Promise.resolve(queued);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const seen = this.frames.map((f) => f.type ?? f.message).join(', ') || 'nothing';
        reject(new SmokeFailure(`no ${what} within ${FRAME_TIMEOUT_MS / 1000} s (got ${seen})`));
      }, FRAME_TIMEOUT_MS);
      this.waiting.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  close() {
    this.socket.close();
  }
}

/** The page under its CSP, the script it names, and config.json pointing at a WebSocket URL. */
async function checkWebApp(target: SmokeTarget): Promise<void> {
  const get = async (path: string) => {
    const response = await fetch(`${target.httpUrl}${path}`, { headers: { 'user-agent': SMOKE_USER_AGENT } });
    if (response.status !== 200) throw new SmokeFailure(`GET ${path} → ${response.status}`);
    return response;
  };
  const page = await get('/app/');
  const csp = page.headers.get('content-security-policy') ?? '';
  if (!csp.includes("script-src 'self'")) throw new SmokeFailure(`GET /app/ has no strict CSP (got "${csp}")`);
  const script = /<script type="module" src="([^"]+)"/.exec(await page.text())?.[1];
  if (!script) throw new SmokeFailure('GET /app/ names no script');
  await (await get(`/app/${script}`)).arrayBuffer();
  const config = (await (await get('/app/config.json')).json()) as { webSocketUrl?: unknown };
  if (typeof config.webSocketUrl !== 'string') throw new SmokeFailure('config.json has no webSocketUrl');
}

/**
 * A customer session: a new account confirmed with the code from the mailbox (deleted at the end,
 * through `created`), or the target's confirmed customer.
 */
async function signInAsCustomer(
  target: SmokeTarget,
  step: <T>(name: string, action: () => Promise<T>) => Promise<T>,
  created: (id: string) => Promise<unknown>,
): Promise<{ accessToken: string; refreshToken: string; user: { id: string } }> {
  if (target.customer) {
    return step('sign in as the customer', () =>
      call(target, 'POST', '/auth/login', { body: target.customer, expect: 200 }),
    );
  }
  if (!target.mailboxUrl)
    throw new SmokeFailure('no mailbox to read the sign-up code from, and no customer to sign in as');
  const mailboxUrl = target.mailboxUrl;
  const customer = {
    name: 'Smoke Customer',
    email: `smoke-${randomUUID().slice(0, 8)}@example.com`,
    password: `Sm0ke!${randomUUID().slice(0, 12)}`,
  };
  const { user } = await step('register', () =>
    call(target, 'POST', '/auth/register', { body: customer, expect: 201 }),
  );
  await created(user.id);
  return step('confirm the address with the e-mailed code', async () =>
    call(target, 'POST', '/auth/confirm-email', {
      body: { email: customer.email, password: customer.password, code: await codeFor(mailboxUrl, customer.email) },
      expect: 200,
    }),
  );
}

export async function runJourney(target: SmokeTarget, report: (result: StepResult) => void): Promise<boolean> {
  const sockets: Socket[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const step = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const value = await action();
      report({ step: name, ms: performance.now() - started, ok: true });
      return value;
    } catch (error) {
      report({ step: name, ms: performance.now() - started, ok: false, detail: (error as Error).message });
      throw error;
    }
  };
  try {
    await step('the web app is served at /app/ (page, script, config)', () => checkWebApp(target));
    // The admin first: a journey that can't clean up after itself creates nothing.
    const admin = await step('sign in as the admin', () =>
      call(target, 'POST', '/auth/login', { body: target.admin, expect: 200 }),
    );
    const signedIn = await signInAsCustomer(target, step, async (id) =>
      cleanups.push(() => call(target, 'DELETE', `/users/${id}`, { token: admin.accessToken, expect: 204 })),
    );
    const order = await step('place an order', () =>
      call(target, 'POST', '/orders', {
        token: signedIn.accessToken,
        body: { description: 'Smoke test order', specifications: { smoke: true }, quantity: 1 },
        expect: 201,
      }),
    );
    const [customerTicket, adminTicket] = await step('get two WebSocket tickets', () =>
      Promise.all(
        [signedIn, admin].map((who) => call(target, 'POST', '/chat/tickets', { token: who.accessToken, expect: 201 })),
      ),
    );
    const [customerSocket, adminSocket] = await step('connect both over WebSocket', async () => {
      const opened = await Promise.all([customerTicket, adminTicket].map((t) => Socket.open(target, t.ticket)));
      sockets.push(...opened);
      return opened as [Socket, Socket];
    });
    await step('join the room (both)', async () => {
      for (const socket of [customerSocket, adminSocket]) {
        socket.send({ action: 'joinRoom', roomId: order.id });
        const answer = await socket.next('chatHistory', (f) => f.type === 'chatHistory' || f.type === 'error');
        if (answer.type !== 'chatHistory') throw new SmokeFailure(`joinRoom → ${JSON.stringify(answer)}`);
      }
    });
    await step('customer → admin message', async () => {
      customerSocket.send({
        action: 'sendMessage',
        roomId: order.id,
        content: 'Hello from the smoke test',
        clientMessageId: 'smoke-1',
      });
      const ack = await customerSocket.next('newMessage (ack)', (f) => f.type === 'newMessage' || f.type === 'error');
      if (ack.type !== 'newMessage') throw new SmokeFailure(`sendMessage → ${JSON.stringify(ack)}`);
      await adminSocket.next('newMessage (admin)', (f) => f.type === 'newMessage' && f.message.id === ack.message.id);
    });
    await step('admin → customer message', async () => {
      adminSocket.send({ action: 'sendMessage', roomId: order.id, content: 'Hello back', clientMessageId: 'smoke-2' });
      await customerSocket.next(
        'newMessage (customer)',
        (f) => f.type === 'newMessage' && f.message.content === 'Hello back',
      );
    });
    await step('admin closes the room', async () => {
      adminSocket.send({ action: 'closeRoom', roomId: order.id, summary: 'Smoke test: all good' });
      await customerSocket.next('roomClosed', (f) => f.type === 'roomClosed' && f.roomId === order.id);
    });
    await step('the order is in PROCESSING', async () => {
      const seen = await call(target, 'GET', `/orders/${order.id}`, { token: signedIn.accessToken, expect: 200 });
      if (seen.status !== 'PROCESSING') throw new SmokeFailure(`status is ${seen.status}`);
    });
    await step('download your data: the order and its conversation are in it', async () => {
      const page = await call(target, 'GET', '/users/me/data', { token: signedIn.accessToken, expect: 200 });
      const parts = [page];
      for (let cursor = page.nextCursor; cursor;) {
        const next = await call(target, 'GET', `/users/me/data?cursor=${encodeURIComponent(cursor)}`, {
          token: signedIn.accessToken,
          expect: 200,
        });
        parts.push(next);
        cursor = next.nextCursor;
      }
      if (!parts.some((p) => p.orders.some((o: { id: string }) => o.id === order.id)))
        throw new SmokeFailure('the order is not in the export');
      const messages = parts.flatMap((p) => p.messages).filter((m: { roomId: string }) => m.roomId === order.id);
      if (messages.flatMap((m: { items: unknown[] }) => m.items).length < 2)
        throw new SmokeFailure('the conversation is not in the export');
    });
    await step('sign out', async () => {
      await call(target, 'POST', '/auth/logout', {
        token: signedIn.accessToken,
        body: { refreshToken: signedIn.refreshToken },
        expect: 204,
      });
      await call(target, 'GET', '/users/me', { token: signedIn.accessToken, expect: 401 });
    });
    // The journey's own customer goes; a deployed stage's confirmed one stays for the next run.
    if (cleanups.length) await step('clean up (the admin deletes the smoke user)', () => cleanups.pop()!());
    return true;
  } catch (error) {
    if (!(error instanceof SmokeFailure)) report({ step: 'unexpected', ms: 0, ok: false, detail: String(error) });
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    return false;
  } finally {
    for (const socket of sockets) socket.close();
  }
}
