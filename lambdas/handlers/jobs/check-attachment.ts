// Run by the attachments bucket's "Object Created" events (EventBridge; offline, the local S3 after
// each upload): checks the file before anyone can send it. EventBridge delivers at least once and
// retries a failed run, so a check that was made already is skipped.
import { checkUpload } from '../../chat/attachments.ts';
import { logger } from '../../shared/logger.ts';

interface ObjectCreated {
  'detail-type'?: string;
  detail?: { bucket?: { name?: string }; object?: { key?: string } };
}

export const handler = async (event: ObjectCreated) => {
  const key = event.detail?.object?.key;
  if (event['detail-type'] !== 'Object Created' || typeof key !== 'string') {
    logger.warn('Not an Object Created event: ignored', { detailType: event['detail-type'] });
    return { outcome: 'ignored' };
  }
  const outcome = await checkUpload(key);
  logger.info('Checked an upload', { key, outcome });
  return { outcome };
};
