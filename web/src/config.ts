/** Where the app finds the APIs: the HTTP API on its own origin, the WebSocket URL from config.json. */
export interface AppConfig {
  apiUrl: string;
  webSocketUrl: string;
}

/**
 * config.json says where the WebSocket API is: a path on this origin when deployed (CloudFront
 * serves both at one name), or a full URL offline (the local gateway listens on a port of its own).
 */
export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch(new URL('config.json', location.href), { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const { webSocketUrl } = (await response.json()) as { webSocketUrl: string };
  const url = new URL(webSocketUrl, location.href);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol === 'http:') url.protocol = 'ws:';
  return { apiUrl: location.origin, webSocketUrl: url.href.replace(/\/$/, '') };
}
