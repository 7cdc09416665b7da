// The S3 client of a container (see aws-calls.ts): chat attachments' bucket.
import { S3Client } from '@aws-sdk/client-s3';
import { CALL_LIMITS, withDeadline } from './aws-calls.ts';

let s3Client: S3Client | undefined;

export function s3(): S3Client {
  s3Client ??= withDeadline(
    new S3Client({
      ...CALL_LIMITS,
      // An endpoint of our own (the local runtime's S3) takes the bucket in the path; AWS's own
      // endpoints take it in the host name, as every presigned URL then does.
      forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
      // Checksums only where S3 requires one: a presigned URL must not carry a checksum of no body.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );
  return s3Client;
}
