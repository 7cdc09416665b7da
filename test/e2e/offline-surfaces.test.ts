// End-to-end: the offline runtime's own endpoints can't be used by anyone but the runtime: the
// local @connections endpoint refuses what isn't signed before reading it, and caps what is.
import { request } from 'node:http';
import { describe, expect, it, inject } from 'vitest';
import {
  ApiGatewayManagementApiClient,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { LOCAL_REGION } from '#local/aws.ts';
import { newUser, runtime, socketsClosedAfterEach } from './support.ts';
import { connectionIdsOf } from './planted.ts';

const sockets = socketsClosedAfterEach();
const managementUrl = () => runtime.wsUrl.replace(/^ws/, 'http');

describe('the local @connections endpoint', () => {
  it('refuses an unsigned 400 MB post before reading it', async () => {
    const url = new URL(`${managementUrl()}/@connections/abc%3D`);
    const written = { bytes: 0 };
    // The answer is a 403, or (when the refusal closes the connection while the body still comes,
    // and the kernel drops the unread answer with it) a reset: either way, early.
    const outcome = await new Promise<number | 'reset'>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-length': String(400 * 1024 * 1024) } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.once('error', (error: NodeJS.ErrnoException) =>
        ['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? resolve('reset') : reject(error),
      );
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (written.bytes < 64 * 1024 * 1024 && req.write(chunk)) written.bytes += chunk.length;
      };
      req.on('drain', pump);
      pump();
    });
    expect([403, 'reset']).toContain(outcome);
    expect(written.bytes).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a signed post over 128 KB with 413, and delivers one at 128 KB', async () => {
    const user = await newUser('connections-cap');
    const client = await sockets.ticket(user);
    const [connectionId] = await connectionIdsOf(user.user.id);
    const management = new ApiGatewayManagementApiClient({
      endpoint: managementUrl(),
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: inject('localAwsSecret') },
    });
    const empty = JSON.stringify({ type: 'leftRoom', roomId: '' }).length;
    const frame = (bytes: number) => JSON.stringify({ type: 'leftRoom', roomId: 'x'.repeat(bytes - empty) });
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: frame(128 * 1024 + 1) })),
    ).rejects.toBeInstanceOf(PayloadTooLargeException);
    const sizes: number[] = [];
    // Read raw: the frame is sized, not meaningful (its roomId is no room's).
    client.socket.removeAllListeners('message');
    client.socket.on('message', (data: Buffer) => sizes.push(data.length));
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: frame(128 * 1024) }));
    await expect.poll(() => sizes).toEqual([128 * 1024]);
  });
});
