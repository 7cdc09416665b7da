/**
 * The web app's build, declared once: the local runtime serves it at /app (built at start, and
 * again on each page load when watching), and the CDK stack deploys the same files to S3 behind
 * CloudFront. Scripts and styles are content-hashed files; index.html is the only name that stays.
 */
import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

const webRoot = import.meta.dirname;

/** Where the app is served, on the API's own origin (no CORS). */
export const APP_PATH = '/app';

/**
 * The app's Content-Security-Policy: only its own files; connections to its origin and the
 * WebSocket API (`webSocketOrigin`, when it is elsewhere, as offline); the attachments' bucket
 * (`attachmentsOrigin`) for the images it shows and the uploads it sends, and nothing else of it.
 * No inline script or style. A preview of a file not yet sent is a blob: URL of the page's own.
 */
export function appContentSecurityPolicy(webSocketOrigin: string | undefined, attachmentsOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${attachmentsOrigin}`,
    `connect-src 'self'${webSocketOrigin ? ` ${webSocketOrigin}` : ''} ${attachmentsOrigin}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface WebFile {
  contents: Uint8Array;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
};
export const contentTypeOf = (name: string) =>
  CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

/** Builds the app: file name (relative to APP_PATH) → contents. */
export function buildWebApp(): Map<string, WebFile> {
  const result = buildSync({
    absWorkingDir: resolve(webRoot, '..'),
    entryPoints: { app: resolve(webRoot, 'src', 'main.tsx') },
    outdir: resolve(webRoot, 'dist'),
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last few years: top-level await and the rest of ES2022.
    target: ['es2022', 'chrome100', 'firefox100', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'error',
  });
  const files = new Map<string, WebFile>();
  for (const output of result.outputFiles) {
    const name = basename(output.path);
    files.set(name, { contents: output.contents, contentType: contentTypeOf(name) });
  }
  const named = (extension: string) =>
    [...files.keys()].find((name) => name.startsWith('app-') && name.endsWith(extension))!;
  const html = readFileSync(resolve(webRoot, 'index.html'), 'utf8')
    .replace('%APP_JS%', named('.js'))
    .replace('%APP_CSS%', named('.css'));
  files.set('index.html', { contents: new TextEncoder().encode(html), contentType: contentTypeOf('index.html') });
  return files;
}
