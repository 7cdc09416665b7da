/**
 * Swagger UI's static files. In Lambda they sit next to the bundle (copied
 * at bundling time, see `bundleFiles` in the route table); offline they come
 * straight from node_modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const;
export type SwaggerUiFile = (typeof SWAGGER_UI_FILES)[number];

const cache = new Map<string, string>();

export function swaggerUiFile(name: SwaggerUiFile): string {
  let text = cache.get(name);
  if (text === undefined) {
    const besideBundle = join(dirname(fileURLToPath(import.meta.url)), 'swagger-ui', name);
    const path = existsSync(besideBundle)
      ? besideBundle
      : createRequire(import.meta.url).resolve(`swagger-ui-dist/${name}`);
    text = readFileSync(path, 'utf8');
    cache.set(name, text);
  }
  return text;
}

// An empty icon of its own (the CSP's img-src takes data:), or every visit asks for /favicon.ico: a 404.
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Order Chat API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// Served as a file so the page's CSP can forbid inline scripts. A token pasted into Authorize stays
// in the page only: persisted, Swagger UI would keep it in localStorage, for any script of this
// origin to read long after the tab is closed.
export const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: false });`;

/** The docs page runs Swagger UI from this origin only; it talks to the API it is served from. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
