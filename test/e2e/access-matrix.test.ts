// End-to-end: every HTTP route of the route table, for every kind of caller. Derived from the route
// table, so a new route is covered the moment it is declared.
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes, splitRouteKey } from '#lambdas/routes.ts';
import { api, login, newAdmin, newUser, type Session } from './support.ts';

let owner: Session;
let other: Session;
let admin: Session;
let target: Session; // the user the /users/{id} routes act on (an admin's DELETE really deletes it)
let orderId: string;
let attachmentId: string; // the admin's own upload to the owner's room (unsent: only they may open it)

beforeAll(async () => {
  [owner, other, admin, target] = await Promise.all([
    newUser('matrix-owner'),
    newUser('matrix-other'),
    // Not the shared bootstrap admin: POST /auth/logout-everywhere really ends this admin's sessions.
    newAdmin('matrix-admin'),
    newUser('matrix-target'),
  ]);
  const order = await api('POST', '/orders', {
    token: owner.accessToken,
    body: { description: 'Matrix order', specifications: { a: 1 }, quantity: 1 },
  });
  orderId = order.body.id;
  const upload = await api('POST', `/chat/rooms/${orderId}/attachments`, {
    token: admin.accessToken,
    body: { name: 'matrix.png', type: 'image/png', size: 1 },
  });
  attachmentId = upload.body.attachment.id;
});

/** Paths with real ids: the owner's order and room, and the target user. */
function concretePath(path: string): string {
  return path
    .replace('{id}', path.startsWith('/users') ? target.user.id : orderId)
    .replace('{roomId}', orderId)
    .replace('{attachmentId}', attachmentId)
    .replace('{asset}', 'init.js');
}

// Routes that change state get a body that fails validation, so no caller changes anything here:
// route access is decided before the body is read, so the status still tells who got in.
const INVALID_BODY = { definitelyNotAField: true };
// Rules that live in the domain (ownership, customers-only) run after validation, so their refusals
// are checked with a valid body — one the refusal stops before anything is written.
const VALID_BODIES: Record<string, unknown> = {
  'POST /orders': { description: 'Refused', specifications: {}, quantity: 1 },
  'PATCH /orders/{id}': { quantity: 2 },
  'POST /orders/{id}/cancel': { reason: 'Refused' },
  'POST /chat/rooms/{roomId}/attachments': { name: 'refused.png', type: 'image/png', size: 1 },
};

const routes = Object.entries(httpRoutes).map(([key, route]) => ({
  key,
  ...splitRouteKey(key),
  access: route.access as string,
}));
const ownerScoped = (path: string) => path.includes('{id}') || path.includes('{roomId}');

// A route with no body to refuse ends the caller's sessions for real: sign them in again after it.
const ENDS_EVERY_SESSION = 'POST /auth/logout-everywhere';

describe.each(routes)('$key', ({ key, method, path, access }) => {
  const call = async (session?: Session, body: unknown = INVALID_BODY) => {
    const response = await api(method, concretePath(path), {
      ...(session ? { token: session.accessToken } : {}),
      ...(method === 'GET' || method === 'DELETE' || key === ENDS_EVERY_SESSION ? {} : { body }),
    });
    if (session && key === ENDS_EVERY_SESSION) Object.assign(session, await login(session.email, session.password));
    return response;
  };

  it('anonymous', async () => {
    const response = await call();
    if (access === 'public') expect(response.status).not.toBe(401);
    else expect(response).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
  });

  it('regular user (the owner)', async () => {
    const response = await call(owner);
    if (access === 'admin') expect(response.status).toBe(403);
    else expect([401, 403]).not.toContain(response.status);
  });

  it('another regular user', async () => {
    const response = await call(other, VALID_BODIES[key] ?? INVALID_BODY);
    if (access === 'admin') expect(response.status).toBe(403);
    else if (ownerScoped(path) && !path.startsWith('/users') && !path.startsWith('/docs'))
      expect(response.status).toBe(404);
    else expect([401, 403]).not.toContain(response.status);
  });

  it('admin', async () => {
    // Placing orders is for customers only: the one route an admin is refused by a business rule.
    const refused = key === 'POST /orders';
    const response = await call(admin, refused ? VALID_BODIES[key] : INVALID_BODY);
    if (refused) expect(response.status).toBe(403);
    else expect([401, 403, 404]).not.toContain(response.status);
  });
});

it("left the owner's order untouched", async () => {
  const order = await api('GET', `/orders/${orderId}`, { token: owner.accessToken });
  expect(order.body).toMatchObject({ version: 1, status: 'REVIEW', chatRoom: { isOpen: true } });
});
