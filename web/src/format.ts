/** How the app words things: errors, dates, statuses. */
import { ApiError, AttachmentRefused, ChatError, NetworkError } from '../../client/src/index.ts';

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return `Too many requests: try again in ${error.retryAfterSeconds ?? 'a few'} s.`;
    return error.message;
  }
  if (error instanceof ChatError || error instanceof AttachmentRefused) return error.message;
  if (error instanceof NetworkError) return 'The server could not be reached. Check your connection and try again.';
  return 'Something went wrong. Please try again.';
}

/** Field errors of a 400, by field name (`body.password` → `password`): every one, not only the last. */
export function fieldErrors(error: unknown): Record<string, string[]> {
  if (!(error instanceof ApiError)) return {};
  // A refused code says which way in one word (wrong, expired, used); the detail says it to a person.
  if (error.codeRefusal) return { code: [error.message] };
  return Object.fromEntries(
    Object.entries(error.fieldErrorLists).map(([path, messages]) => [path.split('.')[1] ?? path, messages]),
  );
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));
export const formatTime = (iso: string) => time.format(new Date(iso));

export const NEXT_STATUS = {
  REVIEW: 'PROCESSING',
  PROCESSING: 'COMPLETED',
  COMPLETED: undefined,
  CANCELLED: undefined,
} as const;
export const STATUSES = ['REVIEW', 'PROCESSING', 'COMPLETED', 'CANCELLED'] as const;
export type Status = (typeof STATUSES)[number];
export const statusLabel = (status: Status) => status.charAt(0) + status.slice(1).toLowerCase();

export const formatValue = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** "key: value" lines → specifications (values that read as JSON — numbers, true, lists — keep their type). */
export function parseSpecifications(text: string): Record<string, unknown> {
  const specifications: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 1) continue;
    const raw = line.slice(colon + 1).trim();
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Plain text.
    }
    specifications[line.slice(0, colon).trim()] = value;
  }
  return specifications;
}
