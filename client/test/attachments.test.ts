// Files: ask → upload straight to the bucket → wait for the check → the verified attachment; every
// refusal typed, cancellation at any step, and a message sending the file.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, AttachmentRefused, createOrderChatApi, memoryTokenStore } from '../src/index.ts';
import { chatHarness, history, idAt, message, ROOM } from './fake-socket.ts';

const ID = '01JDZ9A1B2C3D4E5F6G7H8J9K0';
const BUCKET = 'http://bucket.test/attachments';
const attachment = (status: string, reason: string | null = null) => ({
  id: ID,
  roomId: ROOM,
  name: 'photo.png',
  type: 'image/png',
  size: 4,
  status,
  reason,
  createdAt: '2026-11-29T12:00:00.000Z',
  messageId: null,
  sentAt: null,
});
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });

/** The API and the bucket in one function: `checks` are the statuses the check reports, one per poll. */
function world(options: { bucket?: Response; checks?: string[]; ask?: Response } = {}) {
  const checks = [...(options.checks ?? ['pending', 'verified'])];
  const seen: { method: string; url: string; authorization: string | null; form?: [string, string][] }[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const entry: (typeof seen)[number] = {
      method: request.method,
      url: request.url,
      authorization: request.headers.get('authorization'),
    };
    seen.push(entry);
    if (request.url === BUCKET) {
      const form = await request.formData();
      entry.form = [...form].map(([name, value]) => [
        name,
        typeof value === 'string' ? value : `<${value.size} bytes>`,
      ]);
      return options.bucket ?? new Response(null, { status: 204 });
    }
    const path = new URL(request.url).pathname;
    if (request.method === 'POST' && path === `/chat/rooms/${ROOM}/attachments`) {
      return (
        options.ask ??
        json(201, {
          attachment: attachment('pending'),
          upload: {
            url: BUCKET,
            fields: { key: `uploads/${ROOM}/${ID}`, Policy: 'cG9saWN5' },
            expiresAt: '2026-11-29T12:05:00.000Z',
          },
        })
      );
    }
    const status = checks.length > 1 ? checks.shift()! : checks[0]!;
    return json(200, { attachment: attachment(status, status === 'rejected' ? 'Not a PNG.' : null), download: null });
  });
  const tokens = memoryTokenStore();
  tokens.set({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: Date.now() + 900_000 });
  return { api: createOrderChatApi({ baseUrl: 'http://api.test', fetch, tokens }), seen };
}

const file = () =>
  Object.assign(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }), { name: 'photo.png' });

describe('uploading a file', () => {
  it('asks, posts the form to the bucket (no token, the file last), and resolves once the check verified it', async () => {
    const { api, seen } = world();
    const progress: number[] = [];
    const verified = await api.uploadAttachment(ROOM, file(), { onProgress: (sent) => progress.push(sent) });
    expect(verified).toMatchObject({ id: ID, status: 'verified' });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST http://api.test/chat/rooms/${ROOM}/attachments`,
      `POST ${BUCKET}`,
      `GET http://api.test/chat/rooms/${ROOM}/attachments/${ID}`,
      `GET http://api.test/chat/rooms/${ROOM}/attachments/${ID}`,
    ]);
    expect(seen[1]!.authorization).toBeNull();
    expect(seen[1]!.form).toEqual([
      ['key', `uploads/${ROOM}/${ID}`],
      ['Policy', 'cG9saWN5'],
      ['file', '<4 bytes>'],
    ]);
    expect(progress).toEqual([0, 4]);
  });

  it("refuses with the check's reason, the bucket's refusal, or the API's", async () => {
    await expect(world({ checks: ['rejected'] }).api.uploadAttachment(ROOM, file())).rejects.toEqual(
      new AttachmentRefused('Not a PNG.', 'Rejected'),
    );
    const tooLarge = new Response('<Error><Code>EntityTooLarge</Code><Message>too large</Message></Error>', {
      status: 400,
    });
    await expect(world({ bucket: tooLarge }).api.uploadAttachment(ROOM, file())).rejects.toMatchObject({
      name: 'AttachmentRefused',
      code: 'EntityTooLarge',
    });
    const full = json(429, {
      type: 'about:blank',
      title: 'Too many requests',
      status: 429,
      detail: 'At most 100 files',
    });
    await expect(world({ ask: full }).api.uploadAttachment(ROOM, file())).rejects.toBeInstanceOf(ApiError);
  });

  it('stops when cancelled: before it asks, and while it waits for the check', async () => {
    const before = world();
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(before.api.uploadAttachment(ROOM, file(), { signal: cancelled.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(before.seen).toEqual([]);
    const during = world({ checks: ['pending'] });
    const controller = new AbortController();
    const uploading = during.api.uploadAttachment(ROOM, file(), { signal: controller.signal });
    await vi.waitFor(() => expect(during.seen.length).toBeGreaterThanOrEqual(3));
    controller.abort();
    await expect(uploading).rejects.toMatchObject({ name: 'AbortError' });
    const polls = during.seen.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(during.seen.length).toBe(polls);
  });
});

describe('sending files', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 29, 12, 30) }));
  afterEach(() => vi.useRealTimers());

  it('sends the verified files with the message, text optional', async () => {
    const harness = chatHarness();
    const joining = harness.chat.join(ROOM);
    await harness.settle();
    harness.socket().accept();
    harness.socket().push(history([]));
    await joining;
    const sending = harness.chat.send(ROOM, '', { attachmentIds: [ID] });
    const [frame] = harness.socket().frames('sendMessage');
    expect(frame).toMatchObject({ roomId: ROOM, content: '', attachmentIds: [ID] });
    const stored = {
      ...message(idAt(5), '', frame!.clientMessageId as string),
      attachments: [{ id: ID, name: 'photo.png', type: 'image/png', size: 4 }],
    };
    harness.socket().push({ type: 'newMessage', roomId: ROOM, message: stored });
    await expect(sending).resolves.toMatchObject({ attachments: [{ id: ID }] });
  });
});
