import * as z from 'zod';
import { namedCheck } from './named-checks.ts';

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int().min(100).max(599),
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
    status: z.int().min(100).max(599),
    message: z.string(),
    action: z.string().optional(),
    roomId: z.string().optional(),
    /** The refused sendMessage's clientMessageId: which of a client's pending messages this answers. */
    clientMessageId: z.string().max(64).optional(),
    /** With 429 and 503: seconds to wait before retrying. */
    retryAfter: z.int().min(1).optional(),
  })
  .meta({ id: 'ErrorFrame' });

function boundedText(min: number, max: number, kind: 'text' | 'line') {
  return z
    .string()
    .trim()
    .min(min, min === 1 ? 'Must not be empty' : `Must be at least ${min} characters`)
    .max(max, `Must be at most ${max} characters`)
    .check(namedCheck('controlCharacterProblem', kind));
}

/** Free text (messages, summaries, descriptions): newlines and tabs are fine, other controls are not. */
export const Text = (min: number, max: number) => boundedText(min, max, 'text');

/** One line (names): no control characters at all. */
export const Line = (min: number, max: number) => boundedText(min, max, 'line');
