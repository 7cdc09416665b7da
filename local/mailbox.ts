/**
 * The local mailbox: aws-ses-v2-local, a real SES emulator (the v1 and v2 SendEmail APIs) with a
 * web inbox, on 127.0.0.1. Every e-mail the product would send lands here: the codes Cognito sends
 * (cognito-local hands them over through SES, as Cognito does with a developer-sent e-mail
 * configuration: local/cognito-local-guard.cjs) and the e-mails the functions send.
 *
 * Like the other emulators it is the runtime's alone: a request a web page makes (one with an
 * Origin other than the mailbox's own) is refused, so a page open in the same browser can neither
 * read the inbox, empty it, nor post e-mails into it.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

// A CommonJS module whose function is its `default` export: required, so no interop guesses which.
const startSesEmulator = (createRequire(import.meta.url)('aws-ses-v2-local') as typeof import('aws-ses-v2-local'))
  .default;

export interface Mailbox {
  url: string;
  stop(): Promise<void>;
}

export async function startMailbox(port: number): Promise<Mailbox> {
  const server: Server = await startSesEmulator({ host: '127.0.0.1', port });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  // Ahead of the emulator's own handler: a cross-origin browser request is answered 403 here.
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (fromAnotherOrigin(req, url)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('The local mailbox answers only its own page.\n');
      return;
    }
    // The inbox has no icon; without this the emulator answers a browser's icon request 403 (no credentials).
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    for (const handler of handlers) handler(req, res);
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A browser's request from another page: an Origin that isn't this one, or a cross-site fetch. */
function fromAnotherOrigin(req: IncomingMessage, ownUrl: string): boolean {
  const origin = req.headers.origin;
  const own = new Set([ownUrl, ownUrl.replace('127.0.0.1', 'localhost')]);
  if (origin !== undefined && !own.has(origin)) return true;
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}
