/**
 * Checks every server frame the end-to-end tests receive against the
 * committed asyncapi.yaml: its `type` must be a documented message and its
 * body must match that message's payload schema (undocumented fields fail).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const spec = parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'asyncapi.yaml'), 'utf8')) as {
  channels: { chat: { messages: Record<string, { payload: unknown }> } };
  components: { schemas: Record<string, unknown> };
};
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ $id: 'asyncapi', components: spec.components });
const rewrite = (schema: unknown) =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"asyncapi#/components/'));

/** API Gateway's own frames ({message, connectionId, requestId}) are not part of our protocol. */
const isGatewayFrame = (frame: Record<string, unknown>) =>
  !('type' in frame) && 'message' in frame && 'connectionId' in frame;

export function checkFrame(frame: Record<string, unknown>): string | undefined {
  if (isGatewayFrame(frame)) return undefined;
  const type = String(frame['type']);
  const message = spec.channels.chat.messages[type];
  if (!message) return `Frame type "${type}" is not in asyncapi.yaml: ${JSON.stringify(frame).slice(0, 200)}`;
  const validate = ajv.compile(rewrite(message.payload));
  if (validate(frame)) return undefined;
  return `Frame "${type}" does not match asyncapi.yaml: ${ajv.errorsText(validate.errors)}`;
}
