/**
 * The web app offline, as CloudFront serves it from its bucket when deployed: at /app on the HTTP
 * API's own origin, with the app's CSP. config.json points the app at the local WebSocket API,
 * on the host name the page was opened with. Built on the first visit; when watching, each page
 * load rebuilds it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '#lambdas/shared/http-chain.ts';
import { APP_PATH, appContentSecurityPolicy, buildWebApp, type WebFile } from '../web/build.ts';

export interface WebAppOptions {
  webSocketPort: number;
  webSocketStage: string;
  /** The local S3: the app shows images from it and uploads to it. */
  attachmentsOrigin: string;
  watch: boolean;
  log: (message: string, error?: unknown) => void;
}

/** The request's host name, if it is one (it ends up in a URL and a header). */
const hostNameOf = (req: IncomingMessage) => {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/i.test(host) ? host : 'localhost';
};

export function webApp(options: WebAppOptions) {
  // Built on the first visit, not at start: most starts (tests, scripts) never open the app.
  let files: Map<string, WebFile> | undefined;

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const webSocketOrigin = `ws://${hostNameOf(req)}:${options.webSocketPort}`;
    // The API's security headers, with the app's own CSP (as CloudFront's policy for /app does).
    const headers = {
      ...SECURITY_HEADERS,
      'content-security-policy': appContentSecurityPolicy(webSocketOrigin, options.attachmentsOrigin),
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' });
      return res.end();
    }
    if (path === APP_PATH) {
      res.writeHead(301, { ...headers, location: `${APP_PATH}/` });
      return res.end();
    }
    const name = path.slice(APP_PATH.length + 1) || 'index.html';
    if (!files || (name === 'index.html' && options.watch)) {
      try {
        files = buildWebApp();
      } catch (error) {
        // The last good build stays; the terminal says what broke.
        options.log('The web app does not build', error);
      }
    }
    const file =
      name === 'config.json'
        ? {
            contents: Buffer.from(JSON.stringify({ webSocketUrl: `${webSocketOrigin}/${options.webSocketStage}` })),
            contentType: 'application/json',
          }
        : files?.get(name);
    if (!file) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      return res.end('Not found');
    }
    // Scripts and styles have content-hashed names; the page and its config are asked for each time.
    const hashed = name !== 'index.html' && name !== 'config.json';
    res.writeHead(200, {
      ...headers,
      'content-type': file.contentType,
      'content-length': String(file.contents.byteLength),
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : file.contents);
  };
  return { pathPrefix: APP_PATH, serve };
}
