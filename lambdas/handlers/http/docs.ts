// Primary adapter: the API contract (/openapi.json, as `npm run openapi` generated it) and Swagger UI
// (/docs) for the API that serves them.
import { GET_openapi_json, GET_docs, GET_docs_asset } from '../../generated/routes.ts';
import spec from '../../generated/openapi.json' with { type: 'json' };
import {
  DOCS_CSP,
  DOCS_INIT,
  DOCS_PAGE,
  swaggerUiFile,
  SWAGGER_UI_FILES,
  type SwaggerUiFile,
} from '../../docs/swagger-ui.ts';
import { NotFoundError } from '../../shared/errors.ts';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { HttpEvent } from '../../shared/http-chain.ts';
import { publicHttpHandler } from '../../shared/http-public.ts';

const ONE_HOUR = 'public, max-age=3600';

export const openApiHandler = publicHttpHandler(GET_openapi_json, async () => ({ status: 200, body: spec }));

export const pageHandler = publicHttpHandler(GET_docs, async () => ({
  status: 200,
  body: DOCS_PAGE,
  contentType: 'text/html; charset=utf-8',
  headers: { 'content-security-policy': DOCS_CSP },
}));

export const assetHandler = publicHttpHandler(GET_docs_asset, async ({ params }) => {
  if (params.asset === 'init.js') {
    return {
      status: 200,
      body: DOCS_INIT,
      contentType: 'text/javascript; charset=utf-8',
      headers: { 'cache-control': ONE_HOUR },
    };
  }
  if (!SWAGGER_UI_FILES.includes(params.asset as SwaggerUiFile)) throw new NotFoundError('No such file.');
  const isCss = params.asset.endsWith('.css');
  return {
    status: 200,
    body: swaggerUiFile(params.asset as SwaggerUiFile),
    contentType: isCss ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
    headers: { 'cache-control': ONE_HOUR },
  };
});

/** One function serves all three routes; the route key picks the answer. */
export const handler = (event: HttpEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  if (event.routeKey === 'GET /docs') return pageHandler(event, context);
  if (event.routeKey === 'GET /docs/{asset}') return assetHandler(event, context);
  return openApiHandler(event, context);
};
