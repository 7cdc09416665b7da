/** The @connections management API: `{POST|GET|DELETE} [/{stage}]/@connections/{id}` (`@` may be %40). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSignedBy, mayBeSignedBy } from '../sigv4.ts';
import { closeWith, deliver } from './lifecycle.ts';
import { WS_MAX_MESSAGE_BYTES, type GatewayState } from './state.ts';

export function connectionsApi(state: GatewayState) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const match = /^(?:\/[^/]+)?\/(?:@|%40)connections\/([^/]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const send = (status: number, body?: unknown, errorType?: string) => {
      if (res.headersSent) return;
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        ...(text ? { 'content-type': 'application/json' } : {}),
        ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
      });
      res.end(text);
    };
    /** Answers without reading the body, and closes the connection it was coming on. */
    const refuseUnread = (status: number, body: unknown, errorType: string) => {
      res.setHeader('connection', 'close');
      send(status, body, errorType);
    };
    if (!match) return send(404, { message: 'Not Found' });
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(match[1]!);
    } catch {
      return send(400, { message: 'Invalid connectionId' }, 'BadRequestException');
    }
    const credentials = state.options.managementCredentials;
    // Nothing is read from a request that can't be signed by the runtime: the credential and date
    // come first, and a body is read only up to the largest message API Gateway takes.
    if (credentials && !mayBeSignedBy(req, credentials)) {
      return refuseUnread(403, { message: 'Forbidden' }, 'ForbiddenException');
    }
    if (Number(req.headers['content-length'] ?? 0) > WS_MAX_MESSAGE_BYTES) {
      return refuseUnread(413, { message: 'Message too long' }, 'PayloadTooLargeException');
    }
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > WS_MAX_MESSAGE_BYTES) {
        req.pause();
        if (!res.headersSent) refuseUnread(413, { message: 'Message too long' }, 'PayloadTooLargeException');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', async () => {
      if (res.headersSent) return;
      if (credentials && !(await isSignedBy(req, Buffer.concat(chunks), credentials).catch(() => false))) {
        return send(403, { message: 'Forbidden' }, 'ForbiddenException');
      }
      const live = state.connections.get(connectionId);
      if (!live || live.socket.readyState !== live.socket.OPEN) return send(410, { message: 'Gone' }, 'GoneException');
      if (req.method === 'POST') {
        // A connection dropped for not reading is gone, as API Gateway answers for one it lost.
        if (!deliver(state, live, Buffer.concat(chunks).toString('utf8'), 'a @connections post')) {
          return send(410, { message: 'Gone' }, 'GoneException');
        }
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
