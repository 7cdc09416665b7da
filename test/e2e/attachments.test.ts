// End-to-end: files in chat through the local S3 (fauxqs behind a front that checks presigned
// requests as S3 does): upload, check, send, download, and every refusal along the way.
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTACHMENT_DAILY } from '#lambdas/limits/policy.ts';
import {
  api,
  newAdmin,
  newUser,
  placeOrder,
  socketsClosedAfterEach,
  STRONG_PASSWORD,
  type Session,
} from './support.ts';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005000201a5e0c8a50000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const TEXT = Buffer.from('<html><script>alert(1)</script></html>');

let customer: Session;
let stranger: Session;
let admin: Session;
const sockets = socketsClosedAfterEach();
const as = (session: Session | undefined) => (session ? { token: session.accessToken } : {});

beforeAll(async () => {
  [customer, stranger, admin] = await Promise.all([
    newUser('filecustomer'),
    newUser('filestranger'),
    newAdmin('files'),
  ]);
});

const ask = (session: Session | undefined, roomId: string, file: { name: string; type: string; size: number }) =>
  api('POST', `/chat/rooms/${roomId}/attachments`, { ...as(session), body: file });
const open = (session: Session | undefined, roomId: string, id: string) =>
  api('GET', `/chat/rooms/${roomId}/attachments/${id}`, as(session));

/** Posts the form S3 expects (the fields, then the file last), as a browser does. */
async function post(
  upload: { url: string; fields: Record<string, string> },
  bytes: Buffer,
  change?: (form: FormData) => void,
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  change?.(form);
  form.append('file', new Blob([bytes]), 'upload.bin');
  const response = await fetch(upload.url, { method: 'POST', body: form });
  return { status: response.status, text: await response.text() };
}

async function checked(session: Session, roomId: string, id: string) {
  for (let i = 0; i < 100; i++) {
    const seen = await open(session, roomId, id);
    if (seen.body.attachment?.status !== 'pending') return seen.body.attachment;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never checked');
}

/** Asks, uploads and waits for the check: the attachment as its check left it. */
async function uploaded(session: Session, roomId: string, name: string, type: string, bytes: Buffer, declared = bytes) {
  const ticket = await ask(session, roomId, { name, type, size: declared.length });
  expect(ticket.status).toBe(201);
  expect((await post(ticket.body.upload, bytes)).status).toBe(204);
  return checked(session, roomId, ticket.body.attachment.id);
}

async function send(session: Session, roomId: string, attachmentIds: string[], content = '') {
  const c = await sockets.ticket(session);
  c.send({ action: 'joinRoom', roomId });
  await c.next((f) => f.type === 'chatHistory');
  c.send({ action: 'sendMessage', roomId, content, attachmentIds });
  return c.next((f) => f.type === 'newMessage' || f.type === 'error');
}

describe('sending files', () => {
  it('uploads a photo and a PDF, checks them, sends them, and serves each as its type under its safe name', async () => {
    const { id: roomId } = await placeOrder(customer, 'With files');
    const photo = await uploaded(customer, roomId, '../../etc/sample photo.png', 'image/png', PNG);
    const pdf = await uploaded(customer, roomId, 'spec.pdf.exe\u202e.pdf', 'application/pdf', PDF);
    expect(photo).toMatchObject({ status: 'verified', name: 'sample photo.png', type: 'image/png', size: PNG.length });
    expect(pdf).toMatchObject({ status: 'verified', name: 'spec_pdf_exe.pdf' });

    const sent = await send(customer, roomId, [photo.id, pdf.id], 'The sample and the spec');
    expect(sent.type).toBe('newMessage');
    expect(sent.message.attachments).toEqual([
      { id: photo.id, name: 'sample photo.png', type: 'image/png', size: PNG.length },
      { id: pdf.id, name: 'spec_pdf_exe.pdf', type: 'application/pdf', size: PDF.length },
    ]);
    const stored = (await api('GET', `/chat/rooms/${roomId}`, as(admin))).body.messages.at(-1);
    expect(stored.attachments).toHaveLength(2);

    const image = await open(admin, roomId, photo.id);
    expect(image.status).toBe(200);
    expect(image.body.attachment).toMatchObject({ status: 'sent', messageId: sent.message.id });
    const imageFile = await fetch(image.body.download.url);
    expect(imageFile.status).toBe(200);
    expect(imageFile.headers.get('content-type')).toBe('image/png');
    expect(imageFile.headers.get('content-disposition')).toBe(
      `inline; filename="sample photo.png"; filename*=UTF-8''sample%20photo.png`,
    );
    expect(Buffer.from(await imageFile.arrayBuffer())).toEqual(PNG);
    const document = await fetch((await open(admin, roomId, pdf.id)).body.download.url);
    expect(document.headers.get('content-type')).toBe('application/pdf');
    expect(document.headers.get('content-disposition')).toMatch(/^attachment; filename="spec_pdf_exe.pdf"/);
    expect(Buffer.from(await document.arrayBuffer())).toEqual(PDF);
    // A file-only message: no text needed.
    const another = await uploaded(customer, roomId, 'second.png', 'image/png', PNG);
    expect((await send(customer, roomId, [another.id])).message).toMatchObject({ content: '' });
  });

  it('refuses a file whose content is not its declared type: deleted, and its sender told why', async () => {
    const { id: roomId } = await placeOrder(customer, 'Mislabeled');
    const watcher = await sockets.ticket(customer);
    const ticket = await ask(customer, roomId, { name: 'cat.png', type: 'image/png', size: TEXT.length });
    expect((await post(ticket.body.upload, TEXT)).status).toBe(204);
    const told = await watcher.next((f) => f.type === 'attachmentChecked');
    expect(told.attachment).toMatchObject({ id: ticket.body.attachment.id, status: 'rejected' });
    expect(told.attachment.reason).toBe("The file's content is not image/png: it was refused.");
    const refused = await send(customer, roomId, [ticket.body.attachment.id], 'try anyway');
    expect(refused).toMatchObject({ type: 'error', status: 409 });
    expect(refused.message).toContain('was refused');
  });

  it('refuses sending a file not yet checked, another user’s, one of another room, and one sent already', async () => {
    const { id: roomId } = await placeOrder(customer, 'Send refusals');
    const { id: otherRoom } = await placeOrder(customer, 'Other room');
    const pending = await ask(customer, roomId, { name: 'later.png', type: 'image/png', size: PNG.length });
    expect(await send(customer, roomId, [pending.body.attachment.id], 'x')).toMatchObject({ status: 409 });
    const mine = await uploaded(customer, roomId, 'mine.png', 'image/png', PNG);
    expect(await send(admin, roomId, [mine.id], 'x')).toMatchObject({ type: 'error', status: 404 });
    expect(await send(customer, otherRoom, [mine.id], 'x')).toMatchObject({ type: 'error', status: 404 });
    expect((await send(customer, roomId, [mine.id])).type).toBe('newMessage');
    expect(await send(customer, roomId, [mine.id], 'again')).toMatchObject({ type: 'error', status: 409 });
    expect(await send(customer, roomId, [mine.id, mine.id], 'twice')).toMatchObject({ type: 'error', status: 400 });
    const empty = await send(customer, roomId, [] as string[], '');
    expect(empty).toMatchObject({ type: 'error', status: 400 });
  });
});

describe('asking to upload', () => {
  it('refuses anonymous callers, strangers, closed rooms, other types and files over the limit', async () => {
    const { id: roomId } = await placeOrder(customer, 'Ask refusals');
    const file = { name: 'a.png', type: 'image/png', size: 10 };
    expect((await ask(undefined, roomId, file)).status).toBe(401);
    expect((await ask(stranger, roomId, file)).status).toBe(404);
    expect((await ask(admin, roomId, file)).status).toBe(201);
    expect((await ask(customer, roomId, { ...file, type: 'text/html' })).status).toBe(400);
    expect((await ask(customer, roomId, { ...file, type: 'image/svg+xml' })).status).toBe(400);
    const big = await ask(customer, roomId, { ...file, size: 10 * 1024 * 1024 + 1 });
    expect(big.status).toBe(400);
    expect(big.body.errors[0].path).toBe('body.size');
    expect((await ask(customer, roomId, { ...file, size: 0 })).status).toBe(400);
    const close = await api('POST', `/chat/rooms/${roomId}/close`, { ...as(admin), body: { summary: 'Done' } });
    expect(close.status).toBe(200);
    const closed = await ask(customer, roomId, file);
    expect(closed.status).toBe(409);
  });

  it('answers 429 with Retry-After once a day’s bytes, or a day’s count, is used up', async () => {
    const [heavy, busy] = await Promise.all([newUser('fileheavy'), newUser('filebusy')]);
    const [{ id: heavyRoom }, { id: busyRoom }] = await Promise.all([
      placeOrder(heavy, 'Big'),
      placeOrder(busy, 'Many'),
    ]);
    const tenMb = { name: 'big.pdf', type: 'application/pdf', size: 10 * 1024 * 1024 };
    for (let i = 0; i < ATTACHMENT_DAILY.bytes / tenMb.size; i++)
      expect((await ask(heavy, heavyRoom, tenMb)).status).toBe(201);
    const overBytes = await ask(heavy, heavyRoom, tenMb);
    expect(overBytes.status).toBe(429);
    expect(Number(overBytes.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(overBytes.body.detail).toContain('a day');
    for (let i = 0; i < ATTACHMENT_DAILY.count; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => ask(busy, busyRoom, { name: 'n.png', type: 'image/png', size: 1 })),
      );
      expect(batch.map((r) => r.status)).toEqual(Array(10).fill(201));
    }
    expect((await ask(busy, busyRoom, { name: 'n.png', type: 'image/png', size: 1 })).status).toBe(429);
  });
});

describe('the bucket, as S3 checks a presigned POST', () => {
  let roomId: string;
  beforeAll(async () => {
    roomId = (await placeOrder(customer, 'Policy')).id;
  });
  const fresh = async (bytes = PNG) =>
    (await ask(customer, roomId, { name: 'p.png', type: 'image/png', size: bytes.length })).body.upload;

  it('refuses a file larger or smaller than declared', async () => {
    const larger = await post(await fresh(), Buffer.concat([PNG, Buffer.alloc(10)]));
    expect(larger.status).toBe(400);
    expect(larger.text).toContain('EntityTooLarge');
    const smaller = await post(await fresh(), PNG.subarray(0, 10));
    expect(smaller.status).toBe(400);
    expect(smaller.text).toContain('EntityTooSmall');
  });

  it('refuses another key, another type, a field the policy does not name, a forged policy, and no signature', async () => {
    const upload = await fresh();
    const key = await post(
      { ...upload, fields: { ...upload.fields, key: upload.fields.key!.replace(/.$/, 'Z') } },
      PNG,
    );
    expect(key.status).toBe(403);
    const type = await post({ ...upload, fields: { ...upload.fields, 'Content-Type': 'text/html' } }, PNG);
    expect(type.status).toBe(403);
    const extra = await post(upload, PNG, (form) => form.append('x-amz-meta-evil', '1'));
    expect(extra.status).toBe(403);
    expect(extra.text).toContain('Extra input fields');
    const policy = JSON.parse(Buffer.from(upload.fields.Policy!, 'base64').toString());
    policy.conditions = policy.conditions.filter((c: unknown) => !Array.isArray(c) || c[0] !== 'content-length-range');
    const forged = await post(
      { ...upload, fields: { ...upload.fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') } },
      Buffer.concat([PNG, PNG]),
    );
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('SignatureDoesNotMatch');
    const { 'X-Amz-Signature': _signature, ...unsigned } = upload.fields;
    expect((await post({ ...upload, fields: unsigned }, PNG)).status).toBe(403);
    // A plain PUT, a listing, a read without a signature.
    const bucketUrl = upload.url;
    expect((await fetch(`${bucketUrl}/${upload.fields.key}`, { method: 'PUT', body: PNG })).status).toBe(403);
    expect((await fetch(bucketUrl)).status).toBe(403);
    expect((await fetch(`${bucketUrl}/${upload.fields.key}`)).status).toBe(403);
  });
});

describe('opening a file', () => {
  it('gives links to members only, from the room as it is now; a link is bound to its file', async () => {
    const { id: roomId } = await placeOrder(customer, 'Who may open');
    const photo = await uploaded(customer, roomId, 'photo.png', 'image/png', PNG);
    // Unsent: its uploader sees where its check stands, with no link; nobody else sees it.
    expect((await open(customer, roomId, photo.id)).body).toMatchObject({ download: null });
    expect((await open(admin, roomId, photo.id)).status).toBe(404);
    await send(customer, roomId, [photo.id], 'here');
    expect((await open(undefined, roomId, photo.id)).status).toBe(401);
    expect((await open(stranger, roomId, photo.id)).status).toBe(404);
    // A customer of another order can't reach it through their own room either.
    const { id: strangerRoom } = await placeOrder(stranger, 'Elsewhere');
    expect((await open(stranger, strangerRoom, photo.id)).status).toBe(404);
    const link = (await open(customer, roomId, photo.id)).body.download.url as string;
    expect((await fetch(link)).status).toBe(200);
    // The same signature for another key, or a link edited, is refused by the bucket.
    expect((await fetch(link.replace(photo.id, photo.id.replace(/.$/, 'Z')))).status).toBe(403);
    expect(
      (await fetch(link.replace('response-content-type=image%2Fpng', 'response-content-type=text%2Fhtml'))).status,
    ).toBe(403);

    // Their own files are in the customer's data export, on the messages that sent them.
    const exported = await api('GET', '/users/me/data', as(customer));
    const exportedFiles = exported.body.messages
      .flatMap((part: { items: { attachments?: { id: string }[] }[] }) => part.items)
      .flatMap((item: { attachments?: { id: string }[] }) => item.attachments ?? []);
    expect(exportedFiles).toContainEqual({ id: photo.id, name: 'photo.png', type: 'image/png', size: PNG.length });

    // A demoted admin loses the room at once.
    const former = await newAdmin('filesformer');
    expect((await open(former, roomId, photo.id)).status).toBe(200);
    const demoted = await api('PATCH', `/users/${former.user.id}/role`, { ...as(admin), body: { role: 'REGULAR' } });
    expect(demoted.status).toBe(200);
    expect((await open(former, roomId, photo.id)).status).toBe(404);
  });

  it('gives nothing to a session that ended, nor to an account deleted a moment ago', async () => {
    const [leaving, signedOut] = await Promise.all([newUser('filesleaving'), newUser('filessignedout')]);
    const links: [Session, string, string][] = [];
    for (const owner of [leaving, signedOut]) {
      const { id: roomId } = await placeOrder(owner, 'Files, then gone');
      const photo = await uploaded(owner, roomId, 'gone.png', 'image/png', PNG);
      await send(owner, roomId, [photo.id], 'before leaving');
      expect((await open(owner, roomId, photo.id)).status).toBe(200);
      links.push([owner, roomId, photo.id]);
    }
    const logout = await api('POST', '/auth/logout', {
      ...as(signedOut),
      body: { refreshToken: signedOut.refreshToken },
    });
    expect(logout.status).toBe(204);
    const deleted = await api('DELETE', '/users/me', { ...as(leaving), body: { password: STRONG_PASSWORD } });
    expect(deleted.status).toBe(204);
    for (const [owner, roomId, id] of links) expect((await open(owner, roomId, id)).status).toBe(401);
    // The deleted customer's file stays with the order's conversation: the shop still opens it.
    const [, roomId, id] = links[0]!;
    expect((await open(admin, roomId, id)).status).toBe(200);
  });
});
