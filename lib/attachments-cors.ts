/**
 * The attachments bucket's CORS rules, declared once: the web app uploads to the bucket from its own
 * origin (a presigned POST, with an upload progress listener, so a preflight first) and reads
 * nothing from it by script (images and downloads are plain navigations). The CDK bucket and the
 * local S3 (local/s3.ts) apply these.
 */
export const ATTACHMENTS_CORS = {
  allowedMethods: ['POST'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: 600,
} as const;
