/**
 * Checks every server frame the end-to-end tests receive against the
 * committed asyncapi.yaml: its `type` must be a documented message and its
 * body must match that message's payload schema (undocumented fields fail).
 */
import { loadSpec } from './spec-schemas.ts';

const { spec, check } = loadSpec<{
  channels: { chat: { messages: Record<string, { payload: unknown }> } };
  components: { schemas: Record<string, unknown> };
}>('asyncapi.yaml', 'draft-07');

/** API Gateway's own frames ({message, connectionId, requestId}) are not part of our protocol. */
const isGatewayFrame = (frame: Record<string, unknown>) =>
  !('type' in frame) && 'message' in frame && 'connectionId' in frame;

export function checkFrame(frame: Record<string, unknown>): string | undefined {
  if (isGatewayFrame(frame)) return undefined;
  const type = String(frame['type']);
  const message = spec.channels.chat.messages[type];
  if (!message) return `Frame type "${type}" is not in asyncapi.yaml: ${JSON.stringify(frame).slice(0, 200)}`;
  const problem = check(message.payload, frame);
  return problem ? `Frame "${type}" does not match asyncapi.yaml: ${problem}` : undefined;
}
