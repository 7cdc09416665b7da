// Unit: what a file may be, how it proves it, how its name is made safe, the presigned POST's
// policy in AWS's terms, and the check of an upload with S3 and DynamoDB mocked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { contentDisposition, matchesType, parseUploadKey, safeFileName } from '#lambdas/chat/attachment.ts';
import { uploadConditions, uploadForm } from '#lambdas/chat/attachments-storage.ts';
import { checkUpload } from '#lambdas/chat/attachments.ts';
import { s3Calls } from '#local/iam.ts';

const ROOM = '01JDZ8Q4V3N9W2K7T6R5M4P3X2';
const ID = '01JDZ9A1B2C3D4E5F6G7H8J9K0';
const bytes = (...values: (number | string)[]) =>
  new Uint8Array(values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])));

describe('a file proves its type by its first bytes', () => {
  it('knows JPEG, PNG, WebP, HEIC and PDF, and nothing that only claims to be one', () => {
    expect(matchesType('image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0))).toBe(true);
    expect(matchesType('image/png', bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a))).toBe(true);
    expect(matchesType('image/webp', bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '))).toBe(true);
    expect(matchesType('image/heic', bytes(0, 0, 0, 0x18, 'ftypheic'))).toBe(true);
    expect(matchesType('image/heic', bytes(0, 0, 0, 0x18, 'ftypmp42'))).toBe(false);
    expect(matchesType('application/pdf', bytes('%PDF-1.7'))).toBe(true);
    expect(matchesType('image/png', bytes('<html>'))).toBe(false);
    expect(matchesType('application/pdf', bytes(0xff, 0xd8, 0xff))).toBe(false);
    expect(matchesType('image/jpeg', bytes())).toBe(false);
  });
});

describe('a file name is made safe', () => {
  it('drops paths, controls and bidi overrides, neutralizes inner extensions, and ends in its type', () => {
    expect(safeFileName('../../etc/passwd', 'application/pdf')).toBe('passwd.pdf');
    expect(safeFileName('C:\\Users\\me\\scan.PDF', 'application/pdf')).toBe('scan.pdf');
    expect(safeFileName('invoice.pdf.exe', 'application/pdf')).toBe('invoice_pdf.pdf');
    expect(safeFileName('photo\u202egnp.exe', 'image/png')).toBe('photognp.png');
    expect(safeFileName('a\u0000b\r\nc.jpg', 'image/jpeg')).toBe('abc.jpg');
    expect(safeFileName('...', 'image/png')).toBe('file.png');
    expect(safeFileName('"quote"; name=x.png', 'image/png')).toBe('_quote__ name=x.png');
    expect([...safeFileName('x'.repeat(500), 'image/png')].length).toBeLessThanOrEqual(120);
  });

  it('serves images inline and documents as downloads, with an ASCII and a UTF-8 name', () => {
    expect(contentDisposition('Zoë.png', 'image/png')).toBe(
      `inline; filename="Zo_.png"; filename*=UTF-8''Zo%C3%AB.png`,
    );
    expect(contentDisposition('spec.pdf', 'application/pdf')).toMatch(/^attachment; /);
    expect(contentDisposition('photo.heic', 'image/heic')).toMatch(/^attachment; /);
  });

  it('reads only the keys it makes', () => {
    expect(parseUploadKey(`uploads/${ROOM}/${ID}`)).toEqual({ roomId: ROOM, id: ID });
    expect(parseUploadKey(`files/${ROOM}/${ID}`)).toBeUndefined();
    expect(parseUploadKey(`uploads/${ROOM}/${ID}/../x`)).toBeUndefined();
  });
});

describe("the presigned POST's policy", () => {
  it('pins the bucket, the key, the Content-Type and exactly the declared size', () => {
    expect(uploadConditions({ roomId: ROOM, id: ID, type: 'image/png', size: 1234 })).toEqual([
      { bucket: 'attachments-test' },
      ['eq', '$key', `uploads/${ROOM}/${ID}`],
      ['eq', '$Content-Type', 'image/png'],
      ['content-length-range', 1234, 1234],
    ]);
  });

  it('is signed for five minutes, with those conditions and no others', async () => {
    const form = await uploadForm({ roomId: ROOM, id: ID, type: 'application/pdf', size: 99 });
    const policy = JSON.parse(Buffer.from(form.fields.Policy!, 'base64').toString('utf8'));
    const expiresIn = Date.parse(policy.expiration) - Date.now();
    expect(expiresIn).toBeGreaterThan(290_000);
    expect(expiresIn).toBeLessThanOrEqual(300_000);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$key', `uploads/${ROOM}/${ID}`],
        ['eq', '$Content-Type', 'application/pdf'],
        ['content-length-range', 99, 99],
      ]),
    );
    expect(form.fields).toMatchObject({ key: `uploads/${ROOM}/${ID}`, 'Content-Type': 'application/pdf' });
    expect(form.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the local IAM check of S3 calls', () => {
  it('names the key each call touches (a copy reads its source and writes its target)', () => {
    expect(s3Calls('CopyObjectCommand', { CopySource: `b/uploads/${ROOM}/${ID}`, Key: `files/${ROOM}/${ID}` })).toEqual(
      [
        { action: 'GetObject', key: `uploads/${ROOM}/${ID}` },
        { action: 'PutObject', key: `files/${ROOM}/${ID}` },
      ],
    );
    expect(s3Calls('DeleteObjectCommand', { Key: 'uploads/x' })).toEqual([
      { action: 'DeleteObject', key: 'uploads/x' },
    ]);
  });
});

describe('checking an upload', () => {
  const s3 = mockClient(S3Client);
  const dynamo = mockClient(DynamoDBDocumentClient);
  const pending = {
    id: ID,
    roomId: ROOM,
    uploaderId: 'u1',
    name: 'a.png',
    type: 'image/png',
    size: 8,
    status: 'pending',
    createdAt: new Date().toISOString(),
  };
  const landed = (head: Uint8Array, total = head.length) =>
    s3.on(GetObjectCommand).resolves({
      // The SDK's stream body, as far as the check reads it.
      Body: { transformToByteArray: async () => head } as never,
      ContentRange: `bytes 0-${head.length - 1}/${total}`,
    });
  beforeEach(() => {
    dynamo.on(GetCommand).resolves({ Item: pending });
    dynamo.on(UpdateCommand).resolves({});
  });
  afterEach(() => {
    s3.reset();
    dynamo.reset();
  });

  it('verifies a file of the declared size whose bytes are its type', async () => {
    landed(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a));
    expect(await checkUpload(`uploads/${ROOM}/${ID}`)).toBe('verified');
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input.Range).toBe('bytes=0-15');
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':status': 'verified',
    });
  });

  it('deletes a file that is not its type, or not its size, and records why', async () => {
    landed(bytes('<html><b>'.padEnd(8)));
    expect(await checkUpload(`uploads/${ROOM}/${ID}`)).toBe('rejected');
    expect(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input.Key).toBe(`uploads/${ROOM}/${ID}`);
    s3.reset();
    landed(bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a), 9);
    expect(await checkUpload(`uploads/${ROOM}/${ID}`)).toBe('rejected');
    expect(dynamo.commandCalls(UpdateCommand)[1]!.args[0].input.ExpressionAttributeValues![':reason']).toBe(
      'The file is 9 bytes, not the 8 it was declared as.',
    );
  });

  it('leaves alone what is not a pending upload: another key, a file checked already, one gone', async () => {
    expect(await checkUpload('files/x')).toBe('ignored');
    dynamo.on(GetCommand).resolves({ Item: { ...pending, status: 'verified' } });
    expect(await checkUpload(`uploads/${ROOM}/${ID}`)).toBe('ignored');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});
