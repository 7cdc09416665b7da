// End-to-end: a session ends when it should — over HTTP and on sockets already open — and every
// request acts with the caller's current role. Each row of docs/security.md's sessions table is here.
import { describe, expect, it } from 'vitest';
import {
  api,
  bootstrapAdmin,
  closedWithin,
  connect,
  login,
  newAdmin,
  newUser,
  placeOrder,
  runtime,
  socketsClosedAfterEach,
  type Session,
} from './support.ts';
import { decodePayload, emulatorSignedToken } from '../support/tokens.ts';

const sockets = socketsClosedAfterEach();
const socketOf = sockets.ticket;

const order = (session: Session) => placeOrder(session, 'Session order');

describe('logout', () => {
  it('ends that session within a second — HTTP, refresh, $connect and its open socket — and no other', async () => {
    const phone = await newUser('sess-logout');
    const laptop = await login(phone.email, phone.password);
    const [phoneSocket, laptopSocket] = [await socketOf(phone), await socketOf(laptop)];
    // A ticket issued before the logout is of no use after it.
    const phoneTicket = (await api('POST', '/chat/tickets', { token: phone.accessToken })).body.ticket as string;

    const out = await api('POST', '/auth/logout', {
      token: phone.accessToken,
      body: { refreshToken: phone.refreshToken },
    });
    expect(out.status).toBe(204);

    expect(await closedWithin(phoneSocket, 1000)).toBeGreaterThan(0);
    expect((await api('GET', '/users/me', { token: phone.accessToken })).status).toBe(401);
    expect((await api('GET', '/orders', { token: phone.accessToken })).status).toBe(401);
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: phone.refreshToken } })).status).toBe(401);
    expect((await api('POST', '/chat/tickets', { token: phone.accessToken })).status).toBe(401);
    expect(await connect(`?ticket=${encodeURIComponent(phoneTicket)}`)).toEqual({ refusedWith: 401 });

    // The other device carries on, socket included.
    expect((await api('GET', '/users/me', { token: laptop.accessToken })).status).toBe(200);
    const { id: roomId } = await order(laptop);
    laptopSocket.send({ action: 'joinRoom', roomId });
    expect((await laptopSocket.next((f) => f.type === 'chatHistory')).roomId).toBe(roomId);
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: laptop.refreshToken } })).status).toBe(200);
  });

  it("revokes no one else's refresh token, and ends the session even with a token that isn't a refresh token", async () => {
    const [mallory, victim] = await Promise.all([newUser('sess-mallory'), newUser('sess-victim')]);
    const stolen = await api('POST', '/auth/logout', {
      token: mallory.accessToken,
      body: { refreshToken: victim.refreshToken },
    });
    expect(stolen.status).toBe(204);
    // The victim's refresh token still works; Mallory's session is over all the same.
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: victim.refreshToken } })).status).toBe(200);
    expect((await api('GET', '/users/me', { token: mallory.accessToken })).status).toBe(401);

    const careless = await newUser('sess-garbage');
    const garbage = await api('POST', '/auth/logout', {
      token: careless.accessToken,
      body: { refreshToken: 'not-a-refresh-token' },
    });
    expect(garbage.status).toBe(204);
    expect((await api('GET', '/users/me', { token: careless.accessToken })).status).toBe(401);
  });
});

describe('sign out everywhere', () => {
  it('ends every session of the account and closes every socket; a new sign-in works', async () => {
    const one = await newUser('sess-everywhere');
    const two = await login(one.email, one.password);
    const sockets = [await socketOf(one), await socketOf(two)];

    expect((await api('POST', '/auth/logout-everywhere', { token: one.accessToken })).status).toBe(204);

    for (const s of sockets) expect(await closedWithin(s, 1000)).toBeGreaterThan(0);
    for (const session of [one, two]) {
      expect((await api('GET', '/users/me', { token: session.accessToken })).status).toBe(401);
      expect((await api('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } })).status).toBe(401);
      expect((await api('POST', '/chat/tickets', { token: session.accessToken })).status).toBe(401);
    }
    const again = await login(one.email, one.password);
    expect((await api('GET', '/users/me', { token: again.accessToken })).status).toBe(200);
    expect((await api('POST', '/auth/logout-everywhere')).status).toBe(401);
  });
});

describe('account deletion', () => {
  it('ends every session at once: HTTP 401, open sockets closed, $connect and refresh refused', async () => {
    const [admin, doomed] = await Promise.all([bootstrapAdmin(), newUser('sess-deleted')]);
    const socket = await socketOf(doomed);
    const ticket = (await api('POST', '/chat/tickets', { token: doomed.accessToken })).body.ticket;

    expect((await api('DELETE', `/users/${doomed.user.id}`, { token: admin.accessToken })).status).toBe(204);

    expect(await closedWithin(socket, 1000)).toBeGreaterThan(0);
    const attempt = await api('POST', '/orders', {
      token: doomed.accessToken,
      body: { description: 'After deletion', specifications: {}, quantity: 1 },
    });
    expect(attempt.status).toBe(401);
    expect((await api('GET', '/orders', { token: doomed.accessToken })).status).toBe(401);
    expect(await connect(`?ticket=${encodeURIComponent(ticket)}`)).toEqual({ refusedWith: 401 });
    expect((await api('POST', '/auth/refresh', { body: { refreshToken: doomed.refreshToken } })).status).toBe(401);
  });
});

describe('role changes', () => {
  it('demotion: the same token loses admin powers at once and the open socket is closed', async () => {
    const [admin, demoted, customer] = await Promise.all([
      bootstrapAdmin(),
      newAdmin('sess-demoted'),
      newUser('sess-c'),
    ]);
    const { id: orderId } = await order(customer);
    const socket = await socketOf(demoted);
    socket.send({ action: 'joinRoom', roomId: orderId });
    await socket.next((f) => f.type === 'chatHistory');

    const change = await api('PATCH', `/users/${demoted.user.id}/role`, {
      token: admin.accessToken,
      body: { role: 'REGULAR' },
    });
    expect(change.status).toBe(200);

    expect(await closedWithin(socket, 1000)).toBeGreaterThan(0);
    expect((await api('GET', `/orders/${orderId}`, { token: demoted.accessToken })).status).toBe(404);
    expect((await api('GET', '/orders', { token: demoted.accessToken })).body.items).toEqual([]);
    const patch = await api('PATCH', `/orders/${orderId}`, { token: demoted.accessToken, body: { quantity: 5 } });
    expect(patch.status).toBe(404);
    expect((await api('GET', '/users', { token: demoted.accessToken })).status).toBe(403);
    // A new socket joins as what they are now.
    const again = await socketOf(demoted);
    again.send({ action: 'joinRoom', roomId: orderId });
    expect(await again.next((f) => f.type === 'error')).toMatchObject({ status: 404 });
  });

  it('promotion: the same token and the open socket act as admin from the next request and frame', async () => {
    const [admin, promoted, customer] = await Promise.all([
      bootstrapAdmin(),
      newUser('sess-promoted'),
      newUser('sess-c2'),
    ]);
    const { id: orderId } = await order(customer);
    const socket = await socketOf(promoted);
    socket.send({ action: 'joinRoom', roomId: orderId });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ status: 404 });

    await api('PATCH', `/users/${promoted.user.id}/role`, { token: admin.accessToken, body: { role: 'ADMIN' } });

    expect((await api('GET', `/orders/${orderId}`, { token: promoted.accessToken })).status).toBe(200);
    socket.send({ action: 'joinRoom', roomId: orderId });
    expect((await socket.next((f) => f.type === 'chatHistory')).roomId).toBe(orderId);
    socket.send({ action: 'closeRoom', roomId: orderId, summary: 'Promoted and done' });
    expect(await socket.next((f) => f.type === 'roomClosed')).toMatchObject({ summary: 'Promoted and done' });
  });
});

describe('tokens', () => {
  it('refuses ID tokens on HTTP, so they get no ticket for $connect either', async () => {
    const user = await newUser('sess-idtoken');
    const answer = await api('GET', '/users/me', { token: user.idToken });
    expect(answer.status).toBe(401);
    expect((await api('POST', '/chat/tickets', { token: user.idToken })).status).toBe(401);
  });

  it('refuses a correctly signed access token without exp on HTTP, tickets included', async () => {
    const user = await newUser('sess-noexp');
    const { exp: _exp, ...claims } = decodePayload(user.accessToken);
    const token = emulatorSignedToken({ ...claims, jti: 'no-exp' }, runtime.dataDir);
    expect((await api('GET', '/users/me', { token })).status).toBe(401);
    expect((await api('POST', '/chat/tickets', { token })).status).toBe(401);
  });

  it('closes an open socket whose token has expired at its next frame, and sends it nothing meanwhile', async () => {
    const user = await newUser('sess-expiry');
    const { id: roomId } = await order(user);
    const now = Math.floor(Date.now() / 1000);
    const shortLived = emulatorSignedToken(
      {
        ...decodePayload(user.accessToken),
        jti: 'short',
        iat: now,
        exp: now + 2,
      },
      runtime.dataDir,
    );
    const c = await sockets.ticket({ accessToken: shortLived });
    c.send({ action: 'joinRoom', roomId });
    await c.next((f) => f.type === 'chatHistory');
    await new Promise((r) => setTimeout(r, 2500));

    const other = await socketOf(user);
    other.send({ action: 'sendMessage', roomId, content: 'after expiry', clientMessageId: 'x1' });
    await other.next((f) => f.type === 'newMessage');
    c.send({ action: 'sendMessage', roomId, content: 'too late' });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ status: 401 });
    expect(await closedWithin(c, 1000)).toBeGreaterThan(0);
    expect(c.pending().filter((f) => f.type === 'newMessage')).toEqual([]);
  });
});
