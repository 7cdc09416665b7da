/** The @connections management API: `{POST|GET|DELETE} [/{stage}]/@connections/{id}` (`@` may be %40). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSignedBy } from '../sigv4.ts';
import { closeWith } from './lifecycle.ts';
import { WS_MAX_MESSAGE_BYTES, type GatewayState } from './state.ts';

export function connectionsApi(state: GatewayState) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const match = /^(?:\/[^/]+)?\/(?:@|%40)connections\/([^/]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const send = (status: number, body?: unknown, errorType?: string) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        ...(text ? { 'content-type': 'application/json' } : {}),
        ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
      });
      res.end(text);
    };
    if (!match) return send(404, { message: 'Not Found' });
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(match[1]!);
    } catch {
      return send(400, { message: 'Invalid connectionId' }, 'BadRequestException');
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const credentials = state.options.managementCredentials;
      if (credentials && !(await isSignedBy(req, Buffer.concat(chunks), credentials).catch(() => false))) {
        return send(403, { message: 'Forbidden' }, 'ForbiddenException');
      }
      const live = state.connections.get(connectionId);
      if (!live || live.socket.readyState !== live.socket.OPEN) return send(410, { message: 'Gone' }, 'GoneException');
      if (req.method === 'POST') {
        const data = Buffer.concat(chunks);
        if (data.length > WS_MAX_MESSAGE_BYTES) {
          return send(413, { message: 'Message too long' }, 'PayloadTooLargeException');
        }
        live.socket.send(data.toString('utf8'));
        return send(200);
      }
      if (req.method === 'GET') {
        return send(200, {
          connectedAt: new Date(live.connectedAt).toISOString(),
          identity: { sourceIp: live.sourceIp, userAgent: live.userAgent },
          lastActiveAt: new Date(live.lastActiveAt).toISOString(),
        });
      }
      if (req.method === 'DELETE') {
        closeWith(live, 1000, 'Connection closed by the server');
        return send(204);
      }
      return send(404, { message: 'Not Found' });
    });
  };
}
