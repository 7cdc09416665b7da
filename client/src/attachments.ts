/**
 * Files in chat, as one call: ask for an upload, send the file straight to the bucket (a presigned
 * POST: it never passes through the API), wait for the server's check, and hand back the verified
 * attachment, whose id `ChatClient.send(roomId, text, { attachmentIds })` sends. Cancellable at any
 * step with an AbortSignal; an upload given up on is never sent, and the bucket deletes it a day later.
 */
import type { components } from './generated/openapi.ts';

export type Attachment = components['schemas']['Attachment'];
export type AttachmentType = components['schemas']['AttachmentType'];
export type OpenedAttachment = components['schemas']['OpenedAttachment'];
type UploadTicket = components['schemas']['UploadTicket'];

/** The types a file may be sent as. */
export const ATTACHMENT_TYPES: readonly AttachmentType[] = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'application/pdf',
];

/**
 * A file refused after it was asked for: by the bucket (`code` is S3's: EntityTooLarge, AccessDenied…,
 * e.g. the file changed since it was measured, or the upload's 5 minutes ran out), or by the server's
 * check (`code` 'Rejected': its content is not its type; `message` says why). Asking again starts over.
 */
export class AttachmentRefused extends Error {
  override readonly name = 'AttachmentRefused';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface UploadOptions {
  /** The type to declare; by default the file's own (`file.type`). */
  type?: AttachmentType;
  /** The name to declare; by default the file's own (`file.name`), else "file". */
  name?: string;
  signal?: AbortSignal;
  /** Bytes sent so far, of all (where the platform reports it: XMLHttpRequest does, fetch doesn't). */
  onProgress?: (sent: number, total: number) => void;
  /** How long to wait for the check before giving up (default 60 s). */
  checkTimeoutMs?: number;
}

/** What attachments need of the API client. */
export interface AttachmentApi {
  requestUpload(roomId: string, file: { name: string; type: AttachmentType; size: number }): Promise<UploadTicket>;
  open(roomId: string, attachmentId: string): Promise<OpenedAttachment>;
  /** Sends a request to the bucket where there is no XMLHttpRequest (the API client's own fetch, unauthorized). */
  fetch: (request: Request) => Promise<Response>;
}

const aborted = (signal?: AbortSignal) => signal?.reason ?? new DOMException('The upload was cancelled', 'AbortError');

const wait = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(aborted(signal));
      },
      { once: true },
    );
  });

/** S3's error code and message from its XML answer. */
function s3Refusal(status: number, text: string): AttachmentRefused {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP ${status}`;
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? 'The upload was refused.';
  const words: Record<string, string> = {
    EntityTooLarge: 'The file is larger than it was when it was chosen: choose it again.',
    EntityTooSmall: 'The file is smaller than it was when it was chosen: choose it again.',
  };
  return new AttachmentRefused(words[code] ?? message, code);
}

/** The form, sent as S3 expects it: the policy's fields, then the file, last. */
function uploadForm(ticket: UploadTicket, file: Blob): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
  form.append('file', file);
  return form;
}

/** What this module uses of XMLHttpRequest (the library builds without the DOM's types). */
interface UploadRequest {
  open(method: string, url: string): void;
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  readonly status: number;
  readonly responseText: string;
  abort(): void;
  send(body: FormData): void;
}

/** XMLHttpRequest where there is one (browsers, React Native: it reports upload progress), else fetch. */
function post(
  api: AttachmentApi,
  url: string,
  form: FormData,
  options: UploadOptions,
  total: number,
): Promise<{ status: number; text: string }> {
  const { signal, onProgress } = options;
  const Xhr = (globalThis as { XMLHttpRequest?: new () => UploadRequest }).XMLHttpRequest;
  if (!Xhr) {
    onProgress?.(0, total);
    const request = new Request(url, { method: 'POST', body: form, ...(signal ? { signal } : {}) });
    return api.fetch(request).then(async (response) => {
      onProgress?.(total, total);
      return { status: response.status, text: await response.text() };
    });
  }
  return new Promise((resolve, reject) => {
    const request = new Xhr();
    request.open('POST', url);
    request.upload.onprogress = (event) => onProgress?.(event.loaded, event.lengthComputable ? event.total : total);
    request.onload = () => resolve({ status: request.status, text: request.responseText });
    request.onerror = () => reject(new TypeError('The upload failed: the network did not answer.'));
    request.onabort = () => reject(aborted(signal));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(form);
  });
}

/**
 * Uploads `file` to the room and resolves once the server verified it. Refusals: `ApiError` when the
 * API refuses the request (not a member, a closed room, a type or size it doesn't take, 429 for the
 * day's allowance), `AttachmentRefused` when the bucket or the check refuses the file, the signal's
 * reason when it aborts.
 */
export async function uploadAttachment(
  api: AttachmentApi,
  roomId: string,
  file: Blob & { name?: string },
  options: UploadOptions = {},
): Promise<Attachment> {
  const { signal } = options;
  if (signal?.aborted) throw aborted(signal);
  const type = (options.type ?? file.type) as AttachmentType;
  const ticket = await api.requestUpload(roomId, { name: options.name ?? file.name ?? 'file', type, size: file.size });
  if (signal?.aborted) throw aborted(signal);
  const sent = await post(api, ticket.upload.url, uploadForm(ticket, file), options, file.size);
  if (sent.status < 200 || sent.status > 299) throw s3Refusal(sent.status, sent.text);
  // The check runs when the file lands (an event): a moment, usually.
  const deadline = Date.now() + (options.checkTimeoutMs ?? 60_000);
  for (let delay = 150; ; delay = Math.min(delay * 1.5, 2000)) {
    const { attachment } = await api.open(roomId, ticket.attachment.id);
    if (attachment.status === 'verified' || attachment.status === 'sent') return attachment;
    if (attachment.status === 'rejected')
      throw new AttachmentRefused(attachment.reason ?? 'The file was refused.', 'Rejected');
    if (Date.now() > deadline) throw new AttachmentRefused('The file was not checked in time: try again.', 'Timeout');
    await wait(delay, signal);
  }
}
