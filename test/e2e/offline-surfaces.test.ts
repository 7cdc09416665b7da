// End-to-end: the offline runtime's services can't be used by anyone but the runtime: the Cognito
// emulator and DynamoDB Local answer no web page and only the runtime's credentials, and the local
// @connections endpoint refuses what isn't signed before reading it, and caps what is.
import { request } from 'node:http';
import { describe, expect, it, inject } from 'vitest';
import {
  ApiGatewayManagementApiClient,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from '#local/aws.ts';
import { credentialsFromSecret } from '#local/credentials.ts';
import { newUser, runtime, socketsClosedAfterEach } from './support.ts';
import { connectionIdsOf } from './planted.ts';

const sockets = socketsClosedAfterEach();
const credentials = () => credentialsFromSecret(inject('localAwsSecret'));

describe('the local Cognito emulator', () => {
  const cognito = (creds: { accessKeyId: string; secretAccessKey: string }) =>
    new CognitoIdentityProviderClient({ endpoint: runtime.cognitoEndpoint, region: LOCAL_REGION, credentials: creds });

  it('takes admin calls signed by the runtime only', async () => {
    const input = { UserPoolId: runtime.userPoolId, Limit: 1 };
    expect((await cognito(credentials()).send(new ListUsersCommand(input))).Users).toBeDefined();
    for (const wrong of [
      { accessKeyId: 'local', secretAccessKey: 'local' },
      { accessKeyId: credentials().accessKeyId, secretAccessKey: 'guessed' },
    ]) {
      await expect(cognito(wrong).send(new ListUsersCommand(input))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
      });
    }
    // AdminSetUserPassword, unsigned, as a web page would send it.
    const unsigned = await fetch(runtime.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.AdminSetUserPassword',
      },
      body: JSON.stringify({
        UserPoolId: runtime.userPoolId,
        Username: 'admin@example.test',
        Password: 'Pwn3d!Passw0rd',
        Permanent: true,
      }),
    });
    expect(unsigned.status).toBe(403);
  });

  it('refuses every request from a web page, preflights included', async () => {
    const fromPage = { origin: 'https://evil.example', 'content-type': 'application/x-amz-json-1.1' };
    const preflight = await fetch(runtime.cognitoEndpoint, {
      method: 'OPTIONS',
      headers: { ...fromPage, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const listing = await fetch(runtime.cognitoEndpoint, {
      method: 'POST',
      headers: { ...fromPage, 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUsers' },
      body: JSON.stringify({ UserPoolId: runtime.userPoolId }),
    });
    expect(listing.status).toBe(403);
    expect(await listing.text()).not.toContain('@');
  });
});

describe('DynamoDB Local', () => {
  it('shows its tables to the runtime’s credentials only, and allows no web page', async () => {
    const tables = async (creds: { accessKeyId: string; secretAccessKey: string }) =>
      (
        await new DynamoDBClient({ endpoint: runtime.dynamoDbEndpoint, region: LOCAL_REGION, credentials: creds }).send(
          new ListTablesCommand({}),
        )
      ).TableNames;
    expect(await tables(credentials())).toContain('order-chat-local-main');
    expect(await tables({ accessKeyId: 'local', secretAccessKey: 'local' })).toEqual([]);
    const preflight = await fetch(runtime.dynamoDbEndpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-amz-target,content-type,authorization',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
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
      credentials: credentials(),
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
