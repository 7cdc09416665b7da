/**
 * Files in a room's conversation. A member of an open room asks for an upload and gets a presigned
 * POST straight to the bucket (the file never passes through a function); the bucket's event has
 * the file checked (its size, and that its first bytes are what its type says) before anyone can
 * send it; only its uploader sends it, in a message (sendMessage); members then get short-lived
 * links to it. Who may see a file is decided from the room as it is now, on every request.
 */
import { monotonicFactory } from 'ulid';
import type { Caller } from '../shared/caller.ts';
import { ConflictError, NotFoundError, TooManyRequestsError, ValidationError } from '../shared/errors.ts';
import { readEnv } from '../shared/env.ts';
import { logger } from '../shared/logger.ts';
import { ATTACHMENT_DAILY } from '../limits/policy.ts';
import { visibleRoom } from '../orders/rooms.ts';
import {
  SENDABLE_SECONDS,
  UPLOAD_SECONDS,
  matchesType,
  parseUploadKey,
  safeFileName,
  type Attachment,
  type AttachmentType,
} from './attachment.ts';
import * as records from './attachments-repository.ts';
import * as storage from './attachments-storage.ts';
import * as connections from './connections-repository.ts';
import { sendToConnections } from './fanout.ts';

const env = /* @__PURE__ */ readEnv({
  ATTACHMENT_MAX_BYTES: {},
  ATTACHMENT_RETENTION_DAYS: {},
});
// Read when used, not at import: a function that never handles files (one that only lists messages) drops all this.
const maxBytes = () => Number(env.ATTACHMENT_MAX_BYTES);
const retentionDays = () => Number(env.ATTACHMENT_RETENTION_DAYS);

const attachmentId = monotonicFactory();
const DAY = 86_400;
const NOT_FOUND = 'Attachment not found.';
const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** What the API shows of an attachment (its uploader's id stays inside). */
const publicOf = ({ uploaderId: _uploader, ...rest }: Attachment) => rest;

export async function requestUpload(
  caller: Caller,
  roomId: string,
  input: { name: string; type: AttachmentType; size: number },
) {
  const room = await visibleRoom(caller, roomId);
  if (!room.isOpen) throw new ConflictError('Chat room is closed: files are sent only while it is open.');
  if (input.size > maxBytes()) {
    const message = `A file may be at most ${megabytes(maxBytes())}; this one is ${megabytes(input.size)}.`;
    throw new ValidationError(message, [{ path: 'body.size', message }]);
  }
  const now = Math.floor(Date.now() / 1000);
  const dayStart = now - (now % DAY);
  const attachment: Attachment = {
    id: attachmentId(),
    roomId,
    uploaderId: caller.id,
    name: safeFileName(input.name, input.type),
    type: input.type,
    size: input.size,
    status: 'pending',
    reason: null,
    createdAt: new Date(now * 1000).toISOString(),
    messageId: null,
    sentAt: null,
  };
  const counted = await records.createAttachment(
    attachment,
    { dayStart, count: ATTACHMENT_DAILY.count, bytes: ATTACHMENT_DAILY.bytes, expiresAt: dayStart + DAY + 60 },
    // The bucket deletes an unsent upload a day or two after it lands (lifecycle days round up to midnight UTC).
    now + 2 * DAY,
  );
  if (!counted) {
    throw new TooManyRequestsError(
      `At most ${ATTACHMENT_DAILY.count} files and ${megabytes(ATTACHMENT_DAILY.bytes)} a day may be uploaded: try again tomorrow (UTC).`,
      dayStart + DAY - now,
    );
  }
  const upload = await storage.uploadForm(attachment);
  return {
    attachment: publicOf(attachment),
    upload: { ...upload, expiresAt: new Date((now + UPLOAD_SECONDS) * 1000).toISOString() },
  };
}

/**
 * An attachment as its room's member may see it: a sent one with a link to it, an unsent one only
 * to its uploader (who waits for its check). Anyone else, or a file past the stage's retention: 404.
 */
export async function openAttachment(caller: Caller, roomId: string, id: string) {
  const [, attachment] = await Promise.all([visibleRoom(caller, roomId), records.getAttachment(roomId, id)]);
  if (!attachment || (attachment.status !== 'sent' && attachment.uploaderId !== caller.id))
    throw new NotFoundError(NOT_FOUND);
  if (attachment.status !== 'sent') return { attachment: publicOf(attachment), download: null };
  if (Date.parse(attachment.sentAt!) + retentionDays() * DAY * 1000 < Date.now())
    throw new NotFoundError(`This file was deleted: files are kept ${retentionDays()} days.`);
  return { attachment: publicOf(attachment), download: await storage.downloadUrl(attachment) };
}

/**
 * The files a message sends: each the sender's own upload to this room, verified, not yet sent,
 * and still within the time an upload may wait. Refusals say which file and why.
 */
export async function attachmentsToSend(caller: Caller, roomId: string, ids: readonly string[]) {
  if (new Set(ids).size !== ids.length) throw new ValidationError('The same file is attached twice.');
  const found = await records.getAttachments(roomId, ids);
  return ids.map((id) => {
    const attachment = found.get(id);
    if (!attachment || attachment.uploaderId !== caller.id) throw new NotFoundError(`Attachment ${id} not found.`);
    if (attachment.status === 'sent') throw new ConflictError(`${attachment.name} was sent already.`);
    if (attachment.status === 'rejected')
      throw new ConflictError(`${attachment.name} was refused: ${attachment.reason ?? 'it failed its check'}`);
    if (attachment.status === 'pending')
      throw new ConflictError(`${attachment.name} is not uploaded and checked yet: send it once it is.`);
    if (Date.parse(attachment.createdAt) + SENDABLE_SECONDS * 1000 < Date.now())
      throw new ConflictError(`${attachment.name} waited too long to be sent: upload it again.`);
    return attachment;
  });
}

/** Out of the uploads (which expire) into the room's files: before the message that sends them is stored. */
export async function keepSent(attachments: readonly Attachment[]): Promise<void> {
  await Promise.all(attachments.map((attachment) => storage.keepSent(attachment)));
}

/**
 * Checks a file that landed in the bucket (its event: at least once, maybe late). A file whose
 * size or first bytes aren't what was declared is deleted; either way its uploader's connections
 * hear the verdict (attachmentChecked). An object that isn't a pending upload is left alone.
 */
export async function checkUpload(key: string): Promise<'verified' | 'rejected' | 'ignored'> {
  const named = parseUploadKey(key);
  if (!named) return 'ignored';
  const attachment = await records.getAttachment(named.roomId, named.id);
  if (attachment?.status !== 'pending') return 'ignored';
  const landed = await storage.headOfUpload(named.roomId, named.id);
  if (!landed) return 'ignored';
  const reason =
    landed.size !== attachment.size
      ? `The file is ${landed.size} bytes, not the ${attachment.size} it was declared as.`
      : !matchesType(attachment.type, landed.head)
        ? `The file's content is not ${attachment.type}: it was refused.`
        : null;
  if (reason) await storage.deleteUpload(named.roomId, named.id);
  const status = reason ? 'rejected' : 'verified';
  if (!(await records.recordCheck(named.roomId, named.id, { status, reason }))) return 'ignored';
  if (reason) logger.info('An upload was refused', { roomId: named.roomId, attachmentId: named.id, reason });
  await tellUploader({ ...attachment, status, reason });
  return status;
}

/** Best-effort: the uploader's open connections hear the verdict (a client that missed it reads it). */
async function tellUploader(attachment: Attachment) {
  try {
    const own = await connections.connectionsOfUser(attachment.uploaderId);
    const frame = { type: 'attachmentChecked', roomId: attachment.roomId, attachment: publicOf(attachment) };
    await sendToConnections(
      own.map((c) => c.connectionId),
      [frame],
    );
  } catch (error) {
    logger.warn('Telling an uploader of a check failed', { attachmentId: attachment.id, error: (error as Error).name });
  }
}
