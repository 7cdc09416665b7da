/**
 * The WebSocket protocol as an AsyncAPI 3.0 document, generated from the
 * route table and the same zod schemas the handlers validate with.
 * `npm run asyncapi` writes asyncapi.yaml from it.
 */
import * as z from 'zod';
import { wsRoutes, wsServerFrames, type WsRoute } from '../routes.ts';

type JsonSchema = Record<string, unknown>;

export function buildAsyncApi() {
  const schemas: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const generated = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
    const definitions = (generated.definitions ?? {}) as Record<string, JsonSchema>;
    delete generated.definitions;
    delete generated.$schema;
    const rewrite = (s: JsonSchema) =>
      JSON.parse(JSON.stringify(s).replaceAll('"#/definitions/', '"#/components/schemas/')) as JsonSchema;
    for (const [id, definition] of Object.entries(definitions)) schemas[id] = rewrite(definition);
    return rewrite(generated);
  };

  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const clientActions = Object.entries(wsRoutes as Record<string, WsRoute>).filter(
    ([key, route]) => !key.startsWith('$') && route.frame,
  );

  for (const [action, route] of clientActions) {
    messages[action] = {
      name: action,
      summary: route.summary,
      contentType: 'application/json',
      payload: toSchema(route.frame!, 'input'),
    };
  }
  for (const [type, frame] of Object.entries(wsServerFrames)) {
    messages[type] = {
      name: type,
      summary: frame.summary,
      contentType: 'application/json',
      payload: toSchema(frame.schema, 'output'),
    };
  }
  const ref = (name: string) => ({ $ref: `#/channels/chat/messages/${name}` });
  for (const [action, route] of clientActions) {
    operations[action] = {
      action: 'receive',
      summary: route.summary,
      channel: { $ref: '#/channels/chat' },
      messages: [ref(action)],
      reply: { channel: { $ref: '#/channels/chat' }, messages: [...(route.answers ?? []), 'error'].map(ref) },
    };
  }
  const pushed = Object.entries(wsServerFrames).filter(([, frame]) => 'pushed' in frame);
  for (const [type, frame] of pushed) {
    operations[`push${type[0]!.toUpperCase()}${type.slice(1)}`] = {
      action: 'send',
      summary: frame.summary,
      channel: { $ref: '#/channels/chat' },
      messages: [ref(type)],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Order Chat WebSocket API',
      version: '1.0.0',
      description: [
        "Real-time chat in each order's room (room id = order id).",
        'Connect with `?ticket=<ticket>` from `POST /chat/tickets` (single use, 60 s). Access tokens are not accepted in the URL: query strings reach access logs, and a ticket is worthless once used.',
        'Send a `User-Agent` header with the upgrade (browsers do): the deployed WAF refuses requests without one.',
        'Frames are JSON; client frames carry `action`. Anything else, or invalid JSON, is answered with an `error` frame (status 400) naming the supported actions.',
        'Frames over 128 KB close the connection with 1009. Connections idle for 10 minutes, or open for 2 hours, are closed: reconnect and `joinRoom` with `after` to resume without gaps.',
      ].join('\n\n'),
    },
    servers: {
      local: {
        host: 'localhost:8001',
        pathname: '/local',
        protocol: 'ws',
        description: 'npm start',
        security: [{ $ref: '#/components/securitySchemes/ticket' }],
      },
      deployed: {
        host: '{distribution}.cloudfront.net',
        pathname: '/ws',
        protocol: 'wss',
        description: 'The WebSocketUrl output of the API stack',
        variables: { distribution: { description: 'CloudFront distribution id' } },
        security: [{ $ref: '#/components/securitySchemes/ticket' }],
      },
    },
    channels: {
      chat: {
        address: '/',
        title: 'Chat',
        description: 'One connection carries every room it has joined.',
        messages,
        bindings: {
          ws: {
            query: {
              type: 'object',
              properties: {
                ticket: { type: 'string', description: 'Single-use ticket from POST /chat/tickets, valid 60 s' },
              },
              required: ['ticket'],
            },
          },
        },
      },
    },
    operations,
    components: {
      schemas,
      securitySchemes: {
        ticket: { type: 'httpApiKey', name: 'ticket', in: 'query', description: 'Connect ticket' },
      },
    },
  };
}
