import * as z from 'zod';

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details',
    examples: [
      {
        type: 'about:blank',
        title: 'Invalid request',
        status: 400,
        detail: 'body.quantity: Too small: expected number to be >=1',
        errors: [{ path: 'body.quantity', message: 'Too small: expected number to be >=1' }],
      },
    ],
  });

/** What API Gateway's HTTP API says for each status it answers itself (the local gateway says the same). */
export const GATEWAY_MESSAGES: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** API Gateway's own error bodies (unknown route, authorizer refusal, throttling, crashes). */
export const GatewayMessage = z.object({ message: z.string() }).meta({
  id: 'GatewayMessage',
  description: "API Gateway's own error answer",
  examples: [{ message: 'Unauthorized' }],
});

/** Page size for list routes: 1–100, default 20. Query values arrive as strings. */
export const Limit = z.coerce.number().int().min(1).max(100).default(20);

/** Opaque, signed pagination cursor. */
export const Cursor = z.string().min(1).max(2048);

/** Every WebSocket refusal: the HTTP-like status, and the action and room it answers when known. */
export const ErrorFrame = z
  .object({
    type: z.literal('error'),
    status: z.int(),
    message: z.string(),
    action: z.string().optional(),
    roomId: z.string().optional(),
    /** The refused sendMessage's clientMessageId: which of a client's pending messages this answers. */
    clientMessageId: z.string().max(64).optional(),
    /** With 429 and 503: seconds to wait before retrying. */
    retryAfter: z.int().min(1).optional(),
  })
  .meta({ id: 'ErrorFrame' });

// C0 controls but tab and newline, DEL, and the bidi embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069), which can make text read differently from what it says.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_LINE = /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

function boundedText(min: number, max: number, forbidden: RegExp) {
  return z
    .string()
    .trim()
    .min(min, min === 1 ? 'Must not be empty' : `Must be at least ${min} characters`)
    .max(max, `Must be at most ${max} characters`)
    .refine((text) => !forbidden.test(text), 'Must not contain control or bidirectional override characters');
}

/** Free text (messages, summaries, descriptions): newlines and tabs are fine, other controls are not. */
export const Text = (min: number, max: number) => boundedText(min, max, CONTROL_IN_TEXT);

/** One line (names): no control characters at all. */
export const Line = (min: number, max: number) => boundedText(min, max, CONTROL_IN_LINE);
