// Run after each deploy (and by the local runtime when it starts): fills in what items written by
// an earlier release lack. Once a stage is done it reads one item and stops.
import type { Context } from 'aws-lambda';
import { backfillLookupKeys } from '../../maintenance/backfill.ts';
import { logger } from '../../shared/logger.ts';

export const handler = async (_event: unknown, context: Context) => {
  const report = await backfillLookupKeys(() => context.getRemainingTimeInMillis());
  if (report.scanned) logger.info('Backfilled the lookup index', { ...report });
  // Not done in one run (a very large table): the log says so; invoking it again goes on.
  if (!report.done) logger.warn('The backfill stopped before the end of the table; run it again', { ...report });
  return report;
};
