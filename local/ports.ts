/**
 * The local runtime's ports, declared once: each is overridden by the environment variable of its
 * name. Not 9229 for anything: that is Node's inspector (`npm run debug`).
 */
export const DEFAULT_PORTS = {
  PORT: 8000,
  WS_PORT: 8001,
  DYNAMODB_PORT: 8002,
  DB_VIEW_PORT: 8003,
  COGNITO_PORT: 8004,
  MAILBOX_PORT: 8005,
  S3_PORT: 8006,
} as const;

export type PortName = keyof typeof DEFAULT_PORTS;

/** The port `name` is configured to, as a string for URLs. */
export const localPort = (name: PortName, env: NodeJS.ProcessEnv = process.env): string =>
  env[name] ?? String(DEFAULT_PORTS[name]);
