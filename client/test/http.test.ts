// The HTTP session: tokens kept, refreshed ahead of expiry and once after a 401, refusals typed.
import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  createOrderChatApi,
  memoryTokenStore,
  NetworkError,
  TwoFactorRequired,
  webStorageTokenStore,
} from '../src/index.ts';

const USER = {
  id: 'u1',
  email: 'ann@example.com',
  name: 'Ann',
  role: 'REGULAR',
  createdAt: '2026-11-29T12:00:00.000Z',
};
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
const problem = (status: number, detail: string, extra = {}) => ({
  type: 'about:blank',
  title: 'Refused',
  status,
  detail,
  ...extra,
});

/** A server in a function: every request it got (method, path, authorization, body) and its answers. */
function fakeServer(answer: (request: Request, body: string) => Response | Promise<Response>) {
  const requests: { method: string; path: string; authorization: string | null; body: string }[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const body = await request.text();
    requests.push({
      method: request.method,
      path: new URL(request.url).pathname,
      authorization: request.headers.get('authorization'),
      body,
    });
    return answer(request, body);
  });
  return { fetch, requests };
}

const clock = Date.UTC(2026, 10, 29, 12);
const now = () => clock;

function login(status = 200) {
  return status === 200
    ? json(200, {
        accessToken: 'access-1',
        idToken: 'id',
        refreshToken: 'refresh-1',
        expiresIn: 900,
        tokenType: 'Bearer',
        user: USER,
      })
    : json(status, problem(status, 'Incorrect email or password'));
}

describe('the session', () => {
  it('signs in, keeps the tokens and sends the access token with every request', async () => {
    const { fetch, requests } = fakeServer((request) =>
      new URL(request.url).pathname === '/auth/login' ? login() : json(200, USER),
    );
    const client = createOrderChatApi({ baseUrl: 'http://api.test/', fetch, now });
    expect(await client.signIn({ email: USER.email, password: 'pw' })).toEqual(USER);
    expect(client.signedIn).toBe(true);
    expect(await client.call(client.api.GET('/users/me'))).toEqual(USER);
    expect(requests.at(-1)).toMatchObject({ path: '/users/me', authorization: 'Bearer access-1' });
  });

  it('refreshes before the token expires, once for concurrent requests', async () => {
    const store = memoryTokenStore();
    store.set({ accessToken: 'old', refreshToken: 'refresh-1', expiresAt: clock + 30_000 });
    const { fetch, requests } = fakeServer((request, body) => {
      if (new URL(request.url).pathname === '/auth/refresh') {
        expect(JSON.parse(body)).toEqual({ refreshToken: 'refresh-1' });
        return json(200, { accessToken: 'new', idToken: 'id', expiresIn: 900 });
      }
      return json(200, USER);
    });
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store });
    await Promise.all([client.call(client.api.GET('/users/me')), client.call(client.api.GET('/users/me'))]);
    expect(requests.map((r) => r.path)).toEqual(['/auth/refresh', '/users/me', '/users/me']);
    expect(requests.slice(1).map((r) => r.authorization)).toEqual(['Bearer new', 'Bearer new']);
    expect(store.get()).toEqual({ accessToken: 'new', refreshToken: 'refresh-1', expiresAt: clock + 900_000 });
  });

  it('retries a refused request once after a refresh, body and all', async () => {
    const store = memoryTokenStore();
    store.set({ accessToken: 'revoked', refreshToken: 'refresh-1', expiresAt: clock + 600_000 });
    const { fetch, requests } = fakeServer((request) => {
      const path = new URL(request.url).pathname;
      if (path === '/auth/refresh') return json(200, { accessToken: 'fresh', idToken: 'id', expiresIn: 900 });
      return request.headers.get('authorization') === 'Bearer fresh'
        ? json(201, { id: 'o1' })
        : json(401, { message: 'Unauthorized' });
    });
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store });
    const body = { description: 'Widgets', specifications: {}, quantity: 2, metadata: {} };
    await client.call(client.api.POST('/orders', { body }));
    expect(requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/orders', 'Bearer revoked'],
      ['/auth/refresh', null],
      ['/orders', 'Bearer fresh'],
    ]);
    expect(JSON.parse(requests[2]!.body)).toEqual(body);
  });

  it('gives up after one retry: a second 401 is thrown', async () => {
    const store = memoryTokenStore();
    store.set({ accessToken: 'a', refreshToken: 'r', expiresAt: clock + 600_000 });
    const { fetch, requests } = fakeServer((request) =>
      new URL(request.url).pathname === '/auth/refresh'
        ? json(200, { accessToken: 'b', idToken: 'id', expiresIn: 900 })
        : json(401, { message: 'Unauthorized' }),
    );
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store });
    await expect(client.call(client.api.GET('/users/me'))).rejects.toMatchObject({
      status: 401,
      message: 'Unauthorized',
    });
    expect(requests).toHaveLength(3);
  });

  it('ends the session when the refresh token is refused (signed out elsewhere)', async () => {
    const store = memoryTokenStore();
    store.set({ accessToken: 'a', refreshToken: 'r', expiresAt: clock + 1_000 });
    const onSessionEnd = vi.fn();
    const { fetch } = fakeServer(() => json(401, problem(401, 'Refresh token revoked')));
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store, onSessionEnd });
    await expect(client.call(client.api.GET('/users/me'))).rejects.toBeInstanceOf(ApiError);
    expect(onSessionEnd).toHaveBeenCalledOnce();
    expect(client.signedIn).toBe(false);
  });

  it('goes on with the new tokens when a password change ends the session under a request in flight', async () => {
    const store = memoryTokenStore();
    store.set({ accessToken: 'old', refreshToken: 'old-refresh', expiresAt: clock + 600_000 });
    const onSessionEnd = vi.fn();
    let answerChange: (response: Response) => void = () => undefined;
    const { fetch, requests } = fakeServer((request) => {
      const path = new URL(request.url).pathname;
      // The change has ended every session already; its own answer is still on its way.
      if (path === '/users/me/password') return new Promise<Response>((resolve) => (answerChange = resolve));
      if (path === '/auth/refresh') return json(401, problem(401, 'The refresh token is invalid, expired or revoked.'));
      return request.headers.get('authorization') === 'Bearer new' ? json(201, { ticket: 't' }) : json(401, {});
    });
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store, onSessionEnd });
    const changing = client.changePassword({ currentPassword: 'Old!Passw0rd', newPassword: 'N3w!Passw0rd' });
    // A WebSocket ticket asked for meanwhile (its socket was just closed by the change).
    const ticket = client.chatTicket();
    await vi.waitFor(() => expect(requests.map((r) => r.path)).toContain('/auth/refresh'));
    answerChange(
      json(200, {
        accessToken: 'new',
        idToken: 'id',
        refreshToken: 'new-refresh',
        expiresIn: 900,
        tokenType: 'Bearer',
        user: USER,
      }),
    );
    await changing;
    expect((await ticket).ticket).toBe('t');
    expect(onSessionEnd).not.toHaveBeenCalled();
    expect(store.get()?.refreshToken).toBe('new-refresh');
  });

  it('keeps the session when a refresh fails for a passing reason (429, 5xx, network)', async () => {
    const store = memoryTokenStore();
    store.set({ accessToken: 'a', refreshToken: 'r', expiresAt: clock + 1_000 });
    const { fetch } = fakeServer(() => json(503, problem(503, 'Try again'), { 'retry-after': '2' }));
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store });
    await expect(client.call(client.api.GET('/users/me'))).rejects.toMatchObject({ status: 503, retryAfterSeconds: 2 });
    expect(client.signedIn).toBe(true);
  });

  it('signs out with the refresh token and forgets the tokens, even when the session had already ended', async () => {
    for (const status of [204, 401]) {
      const store = memoryTokenStore();
      store.set({ accessToken: 'a', refreshToken: 'refresh-9', expiresAt: clock + 600_000 });
      const { fetch, requests } = fakeServer(() =>
        status === 204 ? new Response(null, { status }) : json(401, { message: 'Unauthorized' }),
      );
      const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store });
      await client.signOut();
      expect(client.signedIn).toBe(false);
      expect(requests[0]).toMatchObject({ path: '/auth/logout', body: JSON.stringify({ refreshToken: 'refresh-9' }) });
    }
  });

  it('hands out WebSocket tickets with the expiry of the token that asked for them', async () => {
    const store = memoryTokenStore();
    store.set({ accessToken: 'a', refreshToken: 'r', expiresAt: clock + 600_000 });
    const { fetch } = fakeServer(() => json(201, { ticket: 'tk', expiresIn: 60 }));
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store });
    expect(await client.chatTicket()).toEqual({ ticket: 'tk', expiresAt: clock + 600_000 });
  });

  it('starts from saved tokens and reports every change, for asynchronous storage (React Native)', async () => {
    const saved: unknown[] = [];
    const store = memoryTokenStore({ accessToken: 'a', refreshToken: 'r', expiresAt: clock + 600_000 }, (tokens) =>
      saved.push(tokens),
    );
    const { fetch, requests } = fakeServer(() => new Response(null, { status: 204 }));
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store });
    expect(client.signedIn).toBe(true);
    await client.signOut();
    expect(requests[0]).toMatchObject({ path: '/auth/logout', authorization: 'Bearer a' });
    expect(saved).toEqual([undefined]);
  });

  it('keeps tokens in Web Storage across instances, and ignores what it cannot read', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (key: string) => data.get(key) ?? null,
      setItem: (key: string, value: string) => void data.set(key, value),
      removeItem: (key: string) => void data.delete(key),
    };
    const tokens = { accessToken: 'a', refreshToken: 'r', expiresAt: 1 };
    webStorageTokenStore(storage).set(tokens);
    expect(webStorageTokenStore(storage).get()).toEqual(tokens);
    data.set('order-chat.tokens', '{not json');
    expect(webStorageTokenStore(storage).get()).toBeUndefined();
    webStorageTokenStore(storage).set(undefined);
    expect(data.size).toBe(0);
  });
});

describe('refusals', () => {
  it('throws problem+json as ApiError with its field errors and Retry-After', async () => {
    const { fetch } = fakeServer(() =>
      json(
        400,
        problem(400, 'body.quantity: Too small', { errors: [{ path: 'body.quantity', message: 'Too small' }] }),
      ),
    );
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now });
    const error = await client
      .signUp({ email: 'x@example.com', password: 'Str0ng!Passw0rd', name: 'X' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      message: 'body.quantity: Too small',
      fieldErrors: { 'body.quantity': 'Too small' },
    });
  });

  it("reads API Gateway's own answers ({ message }) as problems too", async () => {
    const { fetch } = fakeServer(() => json(429, { message: 'Too Many Requests' }, { 'retry-after': '1' }));
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now });
    await expect(client.call(client.api.GET('/health'))).rejects.toMatchObject({
      status: 429,
      problem: { title: 'Too Many Requests', detail: 'Too Many Requests' },
      retryAfterSeconds: 1,
    });
  });

  it('reports a request that got no answer as a NetworkError', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now });
    await expect(client.call(client.api.GET('/health'))).rejects.toBeInstanceOf(NetworkError);
  });

  it('answers a wrong password with a 401 ApiError and stays signed out', async () => {
    const { fetch } = fakeServer(() => login(401));
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now });
    await expect(client.signIn({ email: USER.email, password: 'nope' })).rejects.toMatchObject({ status: 401 });
    expect(client.signedIn).toBe(false);
  });
});

describe('two-factor sign-in', () => {
  it('throws TwoFactorRequired on a challenge, keeps no tokens, and finishes with the code', async () => {
    const { fetch, requests } = fakeServer((request) => {
      const path = new URL(request.url).pathname;
      if (path === '/auth/login') return json(202, { challenge: 'TOTP', session: 'cognito-session' });
      return login();
    });
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now });
    const challenge = await client.signIn({ email: USER.email, password: 'pw' }).catch((error: unknown) => error);
    expect(challenge).toBeInstanceOf(TwoFactorRequired);
    expect(challenge).toMatchObject({ email: USER.email, session: 'cognito-session' });
    expect(client.signedIn).toBe(false);
    expect(await client.completeSignIn(challenge as TwoFactorRequired, '123456')).toEqual(USER);
    expect(JSON.parse(requests.at(-1)!.body)).toEqual({
      email: USER.email,
      session: 'cognito-session',
      code: '123456',
    });
    expect(client.signedIn).toBe(true);
  });
});

describe('your data', () => {
  const order = (id: string) => ({ id, description: id, status: 'REVIEW', version: 2 });
  const event = (version: number) => ({ version, type: 'UPDATED' });
  const message = (id: string, roomId: string) => ({ id, roomId, content: id });

  it('joins the pages into one document, each order with its history and messages oldest first', async () => {
    const pages = [
      {
        profile: USER,
        orders: [order('A')],
        history: [{ orderId: 'A', events: [event(2)] }],
        messages: [],
        nextCursor: 'c1',
      },
      {
        profile: null,
        orders: [order('B')],
        history: [
          { orderId: 'A', events: [event(1)] },
          { orderId: 'B', events: [event(1)] },
        ],
        messages: [
          { roomId: 'A', items: [message('m3', 'A')] },
          { roomId: 'A', items: [message('m1', 'A'), message('m2', 'A')] },
        ],
        nextCursor: null,
      },
    ];
    let answered = 0;
    const { fetch, requests } = fakeServer((request) => {
      // The second page is refused once for its rate: waited out, then asked again.
      if (new URL(request.url).searchParams.get('cursor') === 'c1' && answered++ === 0) {
        return json(429, problem(429, 'Too many'), { 'retry-after': '0' });
      }
      return json(200, pages[new URL(request.url).searchParams.get('cursor') === 'c1' ? 1 : 0]);
    });
    const store = memoryTokenStore();
    store.set({ accessToken: 'a', refreshToken: 'r', expiresAt: clock + 600_000 });
    const client = createOrderChatApi({ baseUrl: 'http://api.test', fetch, now, tokens: store });
    const data = await client.exportMyData();
    expect(requests.map((r) => r.path)).toEqual(['/users/me/data', '/users/me/data', '/users/me/data']);
    expect(data.profile).toEqual(USER);
    expect(data.exportedAt).toBe(new Date(clock).toISOString());
    expect(data.orders.map((o) => [o.id, o.history.map((e) => e.version), o.messages.map((m) => m.id)])).toEqual([
      ['A', [1, 2], ['m1', 'm2', 'm3']],
      ['B', [1], []],
    ]);
  });
});
