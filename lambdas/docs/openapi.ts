/**
 * The OpenAPI 3.1 document, generated from the route table and its zod
 * schemas — never written by hand. `npm run openapi` writes openapi.yaml from
 * it; the docs function serves it at /openapi.json.
 *
 * @example const spec = buildOpenApi();
 */
import * as z from 'zod';
import { httpRoutes, splitRouteKey, type HttpRoute } from '../routes.ts';
import { GATEWAY_MESSAGES, GatewayMessage, Problem } from '../schemas/common.ts';

type JsonSchema = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request: a field is missing, malformed or unknown',
  401: 'Missing, malformed, forged or expired token (API Gateway), or a session that no longer exists',
  403: 'Signed in, but not allowed to do this',
  404: 'No such resource (or not visible to the caller)',
  409: 'Conflicts with the current state',
  412: 'If-Match names a version that is no longer current',
  413: 'Request body over 10 MB (API Gateway)',
  415: 'The body is not application/json',
  422: 'The same Idempotency-Key was used with a different request',
  429: "Too many requests: stage throttling (API Gateway), the edge's per-address limit, a per-user limit, or an upstream one",
  500: 'Unexpected failure (API Gateway)',
  503: 'The integration timed out (API Gateway)',
};

/** Statuses API Gateway itself answers with {"message": …}. */
const GATEWAY_STATUSES = [413, 429, 500, 503];

class ComponentCollector {
  readonly schemas: Record<string, JsonSchema> = {};

  add(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const defs = (generated.$defs ?? {}) as Record<string, JsonSchema>;
    delete generated.$defs;
    delete generated.$schema;
    for (const [id, definition] of Object.entries(defs)) {
      const rewritten = this.rewrite(definition);
      const existing = this.schemas[id];
      if (existing && JSON.stringify(existing) !== JSON.stringify(rewritten)) {
        throw new Error(`Schema id "${id}" is used for two different shapes (request vs response?)`);
      }
      this.schemas[id] = rewritten;
    }
    return this.rewrite(generated);
  }

  private rewrite(schema: JsonSchema): JsonSchema {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  }
}

function parameters(
  schema: z.ZodType | undefined,
  location: 'query' | 'path' | 'header',
  components: ComponentCollector,
) {
  if (!schema) return [];
  const objectSchema = components.add(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(objectSchema.properties ?? {}).map(([name, property]) => ({
    name: location === 'header' ? name.replace(/(^|-)(\w)/g, (m) => m.toUpperCase()) : name,
    in: location,
    required: location === 'path' || (objectSchema.required ?? []).includes(name),
    schema: property,
  }));
}

function errorStatuses(route: HttpRoute): number[] {
  const statuses = new Set<number>([...(route.errors ?? []), ...GATEWAY_STATUSES.filter((s) => s !== 413)]);
  if (route.request?.body || route.request?.query || route.request?.params) statuses.add(400);
  if (route.request?.body) {
    statuses.add(413);
    statuses.add(415);
  }
  if (route.access !== 'public') statuses.add(401);
  if (route.access === 'admin') statuses.add(403);
  return [...statuses].sort((a, b) => a - b);
}

/** 'PATCH /users/{id}/role' → 'patchUsersByIdRole'. */
function operationId(method: string, path: string): string {
  const words = path
    .split(/[/.-]/)
    .filter(Boolean)
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      const word = param ? `by-${param[1]}` : part;
      return word.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase());
    });
  return `${method.toLowerCase()}${words.join('')}`;
}

export function buildOpenApi() {
  const components = new ComponentCollector();
  components.add(Problem, 'output');
  const problemRef = { $ref: '#/components/schemas/Problem' };
  components.add(GatewayMessage, 'output');
  const gatewayRef = { $ref: '#/components/schemas/GatewayMessage' };
  const paths: Record<string, Record<string, unknown>> = {};

  for (const [routeKey, route] of Object.entries(httpRoutes) as [string, HttpRoute][]) {
    const { method, path } = splitRouteKey(routeKey);
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema
          ? {
              content: Object.fromEntries(
                [spec.contentType ?? 'application/json']
                  .flat()
                  .map((type) => [type, { schema: components.add(spec.schema!, 'output') }]),
              ),
            }
          : {}),
        ...(spec.headers?.length
          ? { headers: Object.fromEntries(spec.headers.map((h) => [h, { schema: { type: 'string' } }])) }
          : {}),
      };
    }
    for (const status of errorStatuses(route)) {
      const fromGateway = GATEWAY_STATUSES.includes(status) || (status === 401 && route.access !== 'public');
      const fromHandler = !GATEWAY_STATUSES.includes(status) || (route.errors ?? []).includes(status);
      responses[String(status)] = {
        description: STATUS_TEXT[status] ?? 'Error',
        content: {
          ...(fromHandler ? { 'application/problem+json': { schema: problemRef } } : {}),
          ...(fromGateway
            ? { 'application/json': { schema: gatewayRef, example: { message: GATEWAY_MESSAGES[status] } } }
            : {}),
        },
        ...(status === 429 ? { headers: { 'Retry-After': { schema: { type: 'string' } } } } : {}),
      };
    }
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = {
      operationId: operationId(method, path),
      summary: route.summary,
      tags: [route.tag],
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(route.access === 'admin' ? { description: 'Admins only.' } : {}),
      parameters: [
        ...parameters(route.request?.params, 'path', components),
        ...parameters(route.request?.query, 'query', components),
        ...parameters(route.request?.headers, 'header', components),
      ],
      ...(route.request?.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: components.add(route.request.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Order Chat API',
      version: '1.0.0',
      description:
        'Orders with a real-time chat room each. Errors are RFC 9457 problem+json; API Gateway itself answers some statuses with {"message": …}. The WebSocket protocol is described in asyncapi.yaml.',
    },
    // Relative: wherever the document is served (npm start on any port, a deployed stage) is the API.
    servers: [{ url: '/', description: 'The API serving this document' }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(Object.values(httpRoutes).map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Cognito access token from POST /auth/login',
        },
      },
    },
  };
}
