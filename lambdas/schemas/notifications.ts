import * as z from 'zod';
import { namedCheck } from './named-checks.ts';

export const NotificationPreferences = z
  .object({
    /** The other side's messages you haven't read, e-mailed once they waited unread a few minutes. */
    messages: z.boolean(),
    /** Your orders' status changes and their rooms' close (customers). */
    statusChanges: z.boolean(),
    /** New orders (admins). */
    newOrders: z.boolean(),
  })
  .meta({
    id: 'NotificationPreferences',
    examples: [{ messages: true, statusChanges: true, newOrders: false }],
  });

export const UpdateNotificationPreferencesBody = z
  .strictObject({
    messages: z.boolean().optional(),
    statusChanges: z.boolean().optional(),
    newOrders: z.boolean().optional(),
  })
  .check(namedCheck('emptyChangeProblem'))
  .meta({ id: 'UpdateNotificationPreferencesRequest' });

export const UnsubscribeQuery = z.strictObject({
  /** The signed token of an e-mail's unsubscribe link. */
  token: z.string().min(1).max(1000),
});
