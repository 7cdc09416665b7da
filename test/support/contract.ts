/**
 * Contract checks: every HTTP answer the end-to-end tests see must be
 * documented in the committed openapi.yaml — its status listed for that
 * route and media type, and its body valid against the schema. An
 * undocumented status or field fails the test that received it.
 */
import { loadSpec } from './spec-schemas.ts';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
const { spec, check } = loadSpec<{
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}>('openapi.yaml', '2020-12');

const templates = Object.keys(spec.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  literal: template.split('/').filter((s) => s && !s.startsWith('{')).length,
}));
templates.sort((a, b) => b.literal - a.literal);

export function checkContract(
  method: string,
  url: string,
  status: number,
  contentType: string | null,
  body: unknown,
): void {
  const path = new URL(url).pathname;
  const template = templates.find((t) => t.pattern.test(path))?.template;
  const operation = template ? spec.paths[template]![method.toLowerCase()] : undefined;
  // Unknown routes and methods are answered by the gateway itself (404 Not Found / CORS preflight).
  if (!operation) {
    if (status === 404 || method === 'OPTIONS') return;
    throw new Error(`Contract: ${method} ${path} answered ${status} but is not in openapi.yaml`);
  }
  const response = operation.responses[String(status)];
  if (!response)
    throw new Error(`Contract: ${method} ${template} answered ${status}, which openapi.yaml does not list`);
  if (!response.content) {
    if (body !== undefined && body !== '')
      throw new Error(`Contract: ${method} ${template} ${status} has a body but none is documented`);
    return;
  }
  const mediaType = (contentType ?? '').split(';')[0]!.trim();
  const media = response.content[mediaType];
  if (!media) throw new Error(`Contract: ${method} ${template} ${status} answered ${mediaType}, not documented`);
  if (!mediaType.includes('json')) return;
  const problem = check(media.schema, body);
  if (problem) {
    throw new Error(
      `Contract: ${method} ${template} ${status} body does not match openapi.yaml: ${problem}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}
