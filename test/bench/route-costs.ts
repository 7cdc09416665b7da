/**
 * DynamoDB requests and capacity of every HTTP route and WebSocket action, through the local
 * runtime: real requests and frames, each function's DynamoDB calls metered by the runtime
 * (`onDynamoDbCall`), one operation at a time, with the minimum each one needs and why
 * (test/bench/minimums.ts). Orders of 1 KB and larger show what a write costs by its size.
 */
import WebSocket from 'ws';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { unitsOf } from '#local/capacity-meter.ts';
import { MINIMUMS, type OperationName } from './minimums.ts';
import { codeFor, mailWith } from '../support/mailbox.ts';
import { authenticatorApp } from '../support/totp.ts';
import { BENCH_PASSWORD, request, signIn, signUp as signUpAt, useMailbox } from './requests.ts';

export interface MeteredCall {
  operation: string;
  consumed: ConsumedCapacity[];
}

export interface RouteCost {
  operation: OperationName;
  requests: number;
  readUnits: number;
  /** As DynamoDB Local reports them. */
  writeUnits: number;
  /**
   * As AWS bills them: a transaction's write units halved, since DynamoDB Local reports 4 for a
   * one-item transaction of a 100-byte item where AWS documents 2 (2 per KB written in one).
   */
  billedWriteUnits: number;
  /** The operation's time through the local runtime (a stand-in for its functions' billed duration). */
  ms: number;
  /** The fewest requests it can take, and why (minimums.ts). */
  minimum: number;
  why: string;
  calls: string[];
}

export interface SizedWrite {
  /** The stored order item, in KB rounded up (DynamoDB's write unit). */
  sizeKb: number;
  itemBytes: number;
  place: number;
  update: number;
  changeStatus: number;
  /**
   * 2·S + 10 write units (two schedule the e-mail for whoever is away: its item, and its entry in the
   * index of what is due; two are the lookup index's entry, which a status change moves: status leads
   * its sort key), at most 12 for an order of 1 KB.
   */
  target: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureRouteCosts(
  runtime: { httpUrl: string; wsUrl: string; mailboxUrl: string },
  calls: MeteredCall[],
  admin: { email: string; password: string },
  storedOrderBytes: (orderId: string) => Promise<number>,
  /**
   * Runs the notification dispatcher now (the bench's runtime has no schedule); without it (a runtime
   * in another process) the e-mail's path and its unsubscribe are not measured.
   */
  dispatchNotifications?: () => Promise<unknown>,
  /** How long without a DynamoDB call means the operation is done (its fan-out and $disconnect too). */
  quietMs = 120,
): Promise<{ routes: RouteCost[]; sized: SizedWrite[] }> {
  const base = runtime.httpUrl;
  useMailbox(base, runtime.mailboxUrl);
  const call = (method: string, path: string, body?: unknown, token?: string, headers?: Record<string, string>) =>
    request(base, method, path, { body, token, ...(headers ? { headers } : {}) });
  /** Until the runtime has made no DynamoDB call for a while (fan-out and $disconnect run after the answer). */
  const settle = async () => {
    let seen: number;
    do {
      seen = calls.length;
      await sleep(quietMs);
    } while (calls.length !== seen);
  };
  /** The DynamoDB calls an action makes, and how long it takes, once the runtime is quiet before and after. */
  const metered = async (action: () => Promise<unknown>) => {
    await settle();
    calls.length = 0;
    const started = performance.now();
    await action();
    const ms = performance.now() - started;
    await settle();
    return { made: [...calls], units: calls.map(unitsOf), ms };
  };
  const routes: RouteCost[] = [];
  const measure = async (operation: OperationName, action: () => Promise<unknown>) => {
    const { made, units, ms } = await metered(action);
    routes.push({
      operation,
      requests: made.length,
      readUnits: units.reduce((sum, u) => sum + u.read, 0),
      writeUnits: units.reduce((sum, u) => sum + u.write, 0),
      billedWriteUnits: made.reduce(
        (sum, call, i) => sum + units[i]!.write / (call.operation === 'TransactWriteItems' ? 2 : 1),
        0,
      ),
      ms,
      minimum: MINIMUMS[operation].requests,
      why: MINIMUMS[operation].why,
      calls: made.map((call) => call.operation),
    });
  };

  const signUp = (label: string) => signUpAt(base, label);
  const adminToken = (await signIn(base, admin)).token;
  const customer = await signUp('bench-customer');
  const order1Kb = { description: 'Bench order', specifications: { notes: 'n'.repeat(420) }, quantity: 1 };

  // Accounts and sessions.
  let registered = '';
  await measure('POST /auth/register', async () => {
    registered = `bench-new-${Date.now()}@example.test`;
    await call('POST', '/auth/register', { name: 'Bench New', email: registered, password: BENCH_PASSWORD });
  });
  await measure('POST /auth/confirm-email/resend', () =>
    call('POST', '/auth/confirm-email/resend', { email: registered, password: BENCH_PASSWORD }),
  );
  const code = await codeFor(runtime.mailboxUrl, registered, 2);
  await measure('POST /auth/confirm-email', () =>
    call('POST', '/auth/confirm-email', { email: registered, password: BENCH_PASSWORD, code }),
  );
  await measure('POST /auth/forgot-password', () => call('POST', '/auth/forgot-password', { email: registered }));
  const resetCode = await codeFor(runtime.mailboxUrl, registered, 3);
  await measure('POST /auth/reset-password', () =>
    call('POST', '/auth/reset-password', { email: registered, code: resetCode, password: BENCH_PASSWORD }),
  );
  let fresh = { accessToken: '', refreshToken: '' };
  await measure('POST /auth/login', async () => {
    fresh = await call('POST', '/auth/login', { email: registered, password: BENCH_PASSWORD });
  });
  await measure('POST /auth/refresh', () => call('POST', '/auth/refresh', { refreshToken: fresh.refreshToken }));
  await measure('GET /users/me', () => call('GET', '/users/me', undefined, customer.token));
  await measure('PATCH /users/me', () => call('PATCH', '/users/me', { name: 'Bench Renamed' }, customer.token));
  const changing = await signUp('bench-changing');
  await measure('POST /users/me/password', () =>
    call(
      'POST',
      '/users/me/password',
      { currentPassword: BENCH_PASSWORD, newPassword: BENCH_PASSWORD },
      changing.token,
    ),
  );
  const leavingSelf = await signUp('bench-leaving-self');
  await measure('DELETE /users/me', () => call('DELETE', '/users/me', { password: BENCH_PASSWORD }, leavingSelf.token));
  const moving = await signUp('bench-moving');
  const movedTo = `bench-moved-${Date.now()}@example.test`;
  await measure('POST /users/me/email', () =>
    call('POST', '/users/me/email', { email: movedTo, password: BENCH_PASSWORD }, moving.token),
  );
  await measure('GET /users/me/email', () => call('GET', '/users/me/email', undefined, moving.token));
  const moveCode = await codeFor(runtime.mailboxUrl, movedTo);
  await measure('POST /users/me/email/confirm', () =>
    call('POST', '/users/me/email/confirm', { code: moveCode }, moving.token),
  );
  const guarded = await signUp('bench-two-factor');
  let app = authenticatorApp('');
  await measure('POST /users/me/totp', async () => {
    app = authenticatorApp((await call('POST', '/users/me/totp', undefined, guarded.token)).secret);
  });
  // Each code is ready before its request is timed (the app may wait for a fresh one).
  const enableCode = await app.code();
  await measure('PUT /users/me/totp', () => call('PUT', '/users/me/totp', { code: enableCode }, guarded.token));
  let challenge = { session: '' };
  await measure('POST /auth/login (two-factor on)', async () => {
    challenge = await call('POST', '/auth/login', { email: guarded.email, password: BENCH_PASSWORD });
  });
  const signInCode = await app.code();
  await measure('POST /auth/login/totp', () =>
    call('POST', '/auth/login/totp', { email: guarded.email, session: challenge.session, code: signInCode }),
  );
  const offCode = await app.code();
  await measure('DELETE /users/me/totp', () =>
    call('DELETE', '/users/me/totp', { password: BENCH_PASSWORD, code: offCode }, guarded.token),
  );
  const again = authenticatorApp((await call('POST', '/users/me/totp', undefined, guarded.token)).secret);
  await call('PUT', '/users/me/totp', { code: await again.code() }, guarded.token);
  await measure('DELETE /users/{id}/totp', () => call('DELETE', `/users/${guarded.id}/totp`, undefined, adminToken));
  const exporting = await signUp('bench-exporting');
  await call('POST', '/orders', order1Kb, exporting.token);
  await measure('GET /users/me/data (one order)', () => call('GET', '/users/me/data', undefined, exporting.token));
  await measure('GET /users', () => call('GET', '/users?limit=20', undefined, adminToken));
  await measure('GET /users/{id}', () => call('GET', `/users/${customer.id}`, undefined, adminToken));
  const promoted = await signUp('bench-promoted');
  await measure('PATCH /users/{id}/role', () =>
    call('PATCH', `/users/${promoted.id}/role`, { role: 'ADMIN' }, adminToken),
  );
  const lockedOut = await signUp('bench-locked-out');
  await measure('POST /users/{id}/password-reset', () =>
    call('POST', `/users/${lockedOut.id}/password-reset`, undefined, adminToken),
  );
  await measure('GET /users/{id}/events', () => call('GET', `/users/${lockedOut.id}/events`, undefined, adminToken));
  const deleted = await signUp('bench-deleted');
  await measure('DELETE /users/{id}', () => call('DELETE', `/users/${deleted.id}`, undefined, adminToken));
  const leaving = await signUp('bench-leaving');
  await measure('POST /auth/logout', () =>
    call('POST', '/auth/logout', { refreshToken: leaving.refresh }, leaving.token),
  );
  const leavingAll = await signUp('bench-leaving-all');
  await measure('POST /auth/logout-everywhere', () =>
    call('POST', '/auth/logout-everywhere', undefined, leavingAll.token),
  );

  // Orders.
  for (let i = 0; i < 25; i++) await call('POST', '/orders', order1Kb, customer.token);
  let order = { id: '' };
  await measure('POST /orders', async () => {
    order = await call('POST', '/orders', order1Kb, customer.token);
  });
  await measure('POST /orders (Idempotency-Key)', () =>
    call('POST', '/orders', order1Kb, customer.token, { 'idempotency-key': `bench-${Date.now()}` }),
  );
  await measure('GET /orders', () => call('GET', '/orders?limit=20', undefined, customer.token));
  await measure('GET /orders?status', () => call('GET', '/orders?status=REVIEW&limit=20', undefined, adminToken));
  await measure('GET /orders?status (a customer)', () =>
    call('GET', '/orders?status=REVIEW&limit=20', undefined, customer.token),
  );
  await measure('GET /orders/{id}', () => call('GET', `/orders/${order.id}`, undefined, customer.token));
  // A change of an order changed before: the steady state (the first change moves no earlier event).
  await call('PATCH', `/orders/${order.id}`, { quantity: 2 }, customer.token);
  await measure('PATCH /orders/{id}', () => call('PATCH', `/orders/${order.id}`, { quantity: 3 }, customer.token));
  await measure('PATCH /orders/{id}/status', () =>
    call('PATCH', `/orders/${order.id}/status`, { status: 'PROCESSING' }, adminToken),
  );
  const cancellable = await call(
    'POST',
    '/orders',
    { description: 'Cancelled', specifications: {}, quantity: 1 },
    customer.token,
  );
  await measure('POST /orders/{id}/cancel', () =>
    call('POST', `/orders/${cancellable.id}/cancel`, { reason: 'Wrong size' }, customer.token),
  );
  await measure('GET /orders/{id}/history', () =>
    call('GET', `/orders/${order.id}/history`, undefined, customer.token),
  );

  // The order workflow: finding, assigning, noting, exporting.
  const adminId = ((await call('GET', '/users/me', undefined, adminToken)) as { id: string }).id;
  await measure('PUT /orders/{id}/assignee', () =>
    call('PUT', `/orders/${order.id}/assignee`, { assigneeId: adminId }, adminToken),
  );
  await measure('POST /orders/{id}/notes', () =>
    call('POST', `/orders/${order.id}/notes`, { text: 'Call back on Monday' }, adminToken),
  );
  await measure('GET /orders/{id}/notes', () => call('GET', `/orders/${order.id}/notes`, undefined, adminToken));
  await measure('GET /orders (an admin)', () => call('GET', '/orders?limit=20', undefined, adminToken));
  await measure('GET /orders?assignee', () =>
    call('GET', '/orders?assignee=me&status=PROCESSING&limit=20', undefined, adminToken),
  );
  await measure('GET /orders?customerEmail', () =>
    call('GET', `/orders?customerEmail=${encodeURIComponent(customer.email)}&limit=20`, undefined, adminToken),
  );
  await measure('GET /orders?createdFrom', () =>
    call('GET', `/orders?createdFrom=${new Date().toISOString().slice(0, 10)}&limit=20`, undefined, adminToken),
  );
  await measure('GET /orders/export (25 orders)', async () => {
    const answer = await fetch(`${base}/orders/export?customerId=${customer.id}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (answer.status !== 200) throw new Error(`export → ${answer.status}`);
    await answer.text();
  });
  await measure('GET /users/search', () =>
    call('GET', `/users/search?name=${encodeURIComponent('Bench')}&limit=20`, undefined, adminToken),
  );
  await measure('GET /orders/{id}/history?before', () =>
    call('GET', `/orders/${order.id}/history?before=3`, undefined, customer.token),
  );

  // Chat over HTTP.
  const room = await call('POST', '/orders', order1Kb, customer.token);
  await measure('POST /chat/tickets', () => call('POST', '/chat/tickets', undefined, customer.token));
  await measure('GET /chat/rooms/{roomId}', () => call('GET', `/chat/rooms/${room.id}`, undefined, customer.token));
  await measure('GET /chat/rooms/{roomId}/messages', () =>
    call('GET', `/chat/rooms/${room.id}/messages?limit=50`, undefined, customer.token),
  );
  const closedOverHttp = await call('POST', '/orders', order1Kb, customer.token);
  await measure('POST /chat/rooms/{roomId}/close', () =>
    call('POST', `/chat/rooms/${closedOverHttp.id}/close`, { summary: 'Agreed' }, adminToken),
  );

  // The WebSocket API.
  const ticketFor = async (token: string) =>
    ((await call('POST', '/chat/tickets', undefined, token)) as { ticket: string }).ticket;
  const open = async (ticket: string) => {
    const socket = new WebSocket(`${runtime.wsUrl}?ticket=${encodeURIComponent(ticket)}`, {
      headers: { 'user-agent': 'order-chat-bench' },
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return socket;
  };
  const answer = (socket: WebSocket, frame: Record<string, unknown>, type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onFrame = (data: WebSocket.RawData) => {
        const parsed = JSON.parse(data.toString()) as Record<string, unknown>;
        if (parsed.type === 'error') reject(new Error(`${String(frame.action)}: ${data.toString()}`));
        if (parsed.type !== type) return;
        socket.off('message', onFrame);
        resolve(parsed);
      };
      socket.on('message', onFrame);
      socket.send(JSON.stringify(frame));
    });

  const ticket = await ticketFor(customer.token);
  let socket!: WebSocket;
  await measure('$connect (authorizer and $connect)', async () => {
    socket = await open(ticket);
  });
  await measure('joinRoom', () => answer(socket, { action: 'joinRoom', roomId: room.id }, 'chatHistory'));
  const adminSocket = await open(await ticketFor(adminToken));
  await answer(adminSocket, { action: 'joinRoom', roomId: room.id }, 'chatHistory');
  let last = '';
  await measure('sendMessage (a room of two connections)', async () => {
    const sent = await answer(
      socket,
      { action: 'sendMessage', roomId: room.id, content: 'Hello', clientMessageId: 'bench-1' },
      'newMessage',
    );
    last = (sent.message as { id: string }).id;
  });
  await measure('markRead', () =>
    answer(adminSocket, { action: 'markRead', roomId: room.id, messageId: last }, 'readState'),
  );

  // Files: the upload request, the check S3's event runs, a message sending one, a link to it.
  const png = Buffer.from('89504e470d0a1a0a0000000d494844520000000100000001080600000000', 'hex');
  let ticketed!: { attachment: { id: string }; upload: { url: string; fields: Record<string, string> } };
  await measure('POST /chat/rooms/{roomId}/attachments', async () => {
    ticketed = (await call(
      'POST',
      `/chat/rooms/${room.id}/attachments`,
      { name: 'sample.png', type: 'image/png', size: png.length },
      customer.token,
    )) as typeof ticketed;
  });
  await measure('the check of an upload (S3 event)', async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(ticketed.upload.fields)) form.append(name, value);
    form.append('file', new Blob([png]));
    const uploaded = await fetch(ticketed.upload.url, { method: 'POST', body: form });
    if (uploaded.status !== 204) throw new Error(`upload → ${uploaded.status} ${await uploaded.text()}`);
  });
  // The check runs after the upload's answer (a runtime in another process is not metered here): wait for it.
  for (let tries = 0; ; tries++) {
    const seen = (await call(
      'GET',
      `/chat/rooms/${room.id}/attachments/${ticketed.attachment.id}`,
      undefined,
      customer.token,
    )) as { attachment: { status: string } };
    if (seen.attachment.status !== 'pending') break;
    if (tries === 100) throw new Error('The upload was never checked');
    await sleep(50);
  }
  await measure('sendMessage (one file)', () =>
    answer(
      socket,
      { action: 'sendMessage', roomId: room.id, content: '', attachmentIds: [ticketed.attachment.id] },
      'newMessage',
    ),
  );
  await measure('GET /chat/rooms/{roomId}/attachments/{attachmentId}', () =>
    call('GET', `/chat/rooms/${room.id}/attachments/${ticketed.attachment.id}`, undefined, adminToken),
  );
  await measure('GET /chat/inbox', () => call('GET', '/chat/inbox?limit=20', undefined, adminToken));
  await measure('GET /chat/inbox?assignee', () =>
    call('GET', '/chat/inbox?assignee=none&limit=20', undefined, adminToken),
  );
  await measure('watchOrders', () => answer(socket, { action: 'watchOrders' }, 'watchingOrders'));
  await measure('unwatchOrders', () => answer(socket, { action: 'unwatchOrders' }, 'watchingOrders'));
  await measure('joinRoom after (resume)', () =>
    answer(socket, { action: 'joinRoom', roomId: room.id, after: last }, 'chatHistory'),
  );
  await measure('typing', async () => {
    socket.send(JSON.stringify({ action: 'typing', roomId: room.id }));
    // One-way: done when the other connection hears it.
    await new Promise((resolve) =>
      adminSocket.on('message', (data: WebSocket.RawData) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'userTyping') resolve(undefined);
      }),
    );
  });
  await measure('leaveRoom', () => answer(socket, { action: 'leaveRoom', roomId: room.id }, 'leftRoom'));
  await measure('closeRoom', () =>
    answer(adminSocket, { action: 'closeRoom', roomId: room.id, summary: 'Agreed' }, 'roomClosed'),
  );
  // In a room again (closed rooms can still be read), so that its $disconnect tells that room.
  await answer(socket, { action: 'joinRoom', roomId: room.id }, 'chatHistory');
  await measure('$disconnect (a connection in one room)', async () => {
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
  });
  adminSocket.close();

  // Notifications: what is due from the operations above goes first (unmetered); then one customer
  // away, an admin's answer waiting for them, and the dispatcher's whole path for it.
  await measure('GET /users/me/notifications', () => call('GET', '/users/me/notifications', undefined, customer.token));
  await measure('PATCH /users/me/notifications', () =>
    call('PATCH', '/users/me/notifications', { statusChanges: true }, customer.token),
  );
  const away = await call('POST', '/orders', { description: 'Away', specifications: {}, quantity: 1 }, customer.token);
  if (dispatchNotifications) await measureNotification(away.id, dispatchNotifications);

  async function measureNotification(roomId: string, dispatch: () => Promise<unknown>) {
    await settle();
    await dispatch();
    const answerer = await open(await ticketFor(adminToken));
    await answer(answerer, { action: 'joinRoom', roomId }, 'chatHistory');
    await answer(answerer, { action: 'sendMessage', roomId, content: 'Ready Friday' }, 'newMessage');
    answerer.close();
    await new Promise((resolve) => answerer.once('close', resolve));
    await measure('a notification e-mail (the dispatcher, one customer away)', dispatch);
    const mail = await mailWith(runtime.mailboxUrl, customer.email, 'Ready Friday');
    const unsubscribe = /^<(.+)>$/.exec(mail.headers['list-unsubscribe']!)![1]!;
    await measure('POST /notifications/unsubscribe', async () => {
      const response = await fetch(unsubscribe.replace('localhost', '127.0.0.1'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      if (response.status !== 204) throw new Error(`unsubscribe → ${response.status}`);
    });
  }

  // Writes by the size of the order.
  const writeUnits = async (action: () => Promise<unknown>) =>
    (await metered(action)).units.reduce((sum, u) => sum + u.write, 0);
  const sized: SizedWrite[] = [];
  for (const notes of [250, 3_500, 15_500]) {
    const fields = { description: 'Sized order', specifications: { notes: 'n'.repeat(notes) }, quantity: 1 };
    let placed = { id: '' };
    const place = await writeUnits(async () => (placed = await call('POST', '/orders', fields, customer.token)));
    const update = await writeUnits(() => call('PATCH', `/orders/${placed.id}`, { quantity: 2 }, customer.token));
    const changeStatus = await writeUnits(() =>
      call('PATCH', `/orders/${placed.id}/status`, { status: 'PROCESSING' }, adminToken),
    );
    const itemBytes = await storedOrderBytes(placed.id);
    const sizeKb = Math.ceil(itemBytes / 1024);
    sized.push({ sizeKb, itemBytes, place, update, changeStatus, target: sizeKb === 1 ? 12 : 2 * sizeKb + 10 });
  }
  return { routes, sized };
}
