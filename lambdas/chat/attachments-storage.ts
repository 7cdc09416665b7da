// Secondary adapter: owns every key and call of the attachments' bucket.
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../shared/s3-client.ts';
import { readEnv } from '../shared/env.ts';
import {
  DOWNLOAD_SECONDS,
  SNIFF_BYTES,
  UPLOAD_SECONDS,
  contentDisposition,
  fileKey,
  uploadKey,
  type Attachment,
} from './attachment.ts';

const env = /* @__PURE__ */ readEnv({ ATTACHMENTS_BUCKET: {} });
// Read when used: a function that imports the chat but never handles files keeps none of this module.
const bucket = () => env.ATTACHMENTS_BUCKET;

export interface UploadForm {
  url: string;
  fields: Record<string, string>;
}

/**
 * The presigned POST policy of one upload: this key, this bucket, this Content-Type, exactly the
 * declared number of bytes, for UPLOAD_SECONDS. S3 refuses anything else before storing a byte.
 */
export function uploadConditions(attachment: Pick<Attachment, 'roomId' | 'id' | 'type' | 'size'>) {
  return [
    { bucket: bucket() },
    ['eq', '$key', uploadKey(attachment.roomId, attachment.id)],
    ['eq', '$Content-Type', attachment.type],
    ['content-length-range', attachment.size, attachment.size],
  ] as [
    { bucket: string },
    ['eq', '$key', string],
    ['eq', '$Content-Type', string],
    ['content-length-range', number, number],
  ];
}

export async function uploadForm(attachment: Pick<Attachment, 'roomId' | 'id' | 'type' | 'size'>): Promise<UploadForm> {
  const { url, fields } = await createPresignedPost(s3(), {
    Bucket: bucket(),
    Key: uploadKey(attachment.roomId, attachment.id),
    Conditions: uploadConditions(attachment),
    Fields: { 'Content-Type': attachment.type },
    Expires: UPLOAD_SECONDS,
  });
  return { url, fields };
}

/** An upload's size and first bytes (one ranged GET); undefined when it is gone. */
export async function headOfUpload(
  roomId: string,
  id: string,
): Promise<{ size: number; head: Uint8Array } | undefined> {
  try {
    const result = await s3().send(
      new GetObjectCommand({ Bucket: bucket(), Key: uploadKey(roomId, id), Range: `bytes=0-${SNIFF_BYTES - 1}` }),
    );
    const head = await result.Body!.transformToByteArray();
    // "bytes 0-15/12345": the total is after the slash (a file smaller than the range: its length).
    const total = Number(/\/(\d+)$/.exec(result.ContentRange ?? '')?.[1] ?? result.ContentLength ?? head.length);
    return { size: total, head };
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function deleteUpload(roomId: string, id: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: uploadKey(roomId, id) }));
}

/**
 * A sent file, out of the uploads (which expire) to the room's files (kept for the stage's
 * retention), stored as the type it was verified to be and with its safe name.
 */
export async function keepSent(attachment: Attachment): Promise<void> {
  await s3().send(
    new CopyObjectCommand({
      Bucket: bucket(),
      CopySource: `${bucket()}/${uploadKey(attachment.roomId, attachment.id)}`,
      Key: fileKey(attachment.roomId, attachment.id),
      MetadataDirective: 'REPLACE',
      ContentType: attachment.type,
      ContentDisposition: contentDisposition(attachment.name, attachment.type),
    }),
  );
}

/** A short-lived link to a sent file, served as its verified type under its safe name. */
export async function downloadUrl(attachment: Attachment): Promise<{ url: string; expiresAt: string }> {
  const url = await getSignedUrl(
    s3(),
    new GetObjectCommand({
      Bucket: bucket(),
      Key: fileKey(attachment.roomId, attachment.id),
      ResponseContentType: attachment.type,
      ResponseContentDisposition: contentDisposition(attachment.name, attachment.type),
    }),
    { expiresIn: DOWNLOAD_SECONDS },
  );
  return { url, expiresAt: new Date(Date.now() + DOWNLOAD_SECONDS * 1000).toISOString() };
}
