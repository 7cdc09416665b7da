// Run every minute by the schedule: sends the notification e-mails that came due.
import type { Context } from 'aws-lambda';
import { dispatchDue } from '../../notifications/service.ts';
import { logger } from '../../shared/logger.ts';

export const handler = async (_event: unknown, context: Context) => {
  const report = await dispatchDue(() => context.getRemainingTimeInMillis());
  if (report.sent || report.retried || report.parked) logger.info('Notifications dispatched', { ...report });
  return report;
};
