/**
 * One line per HTTP request, WebSocket upgrade and frame, for the person running `npm start`:
 * coloured columns in a terminal, JSON lines otherwise (REQUEST_LOG=pretty|json|off overrides).
 */
export interface RequestLogEntry {
  /** `GET`, `POST`, … for HTTP; `WS` for WebSocket upgrades and frames. */
  method: string;
  /** The path, or the WebSocket route ($connect, the frame's action). */
  target: string;
  status: number;
  ms: number;
  /** The function that ran (`http/orders-get`), if one did. */
  fn?: string;
  /** Why the gateway refused, when it did (a WebSocket upgrade's 401, a throttled frame …). */
  reason?: string;
}

export type RequestLog = (entry: RequestLogEntry) => void;

const colour = (status: number) => (status >= 500 ? 31 : status >= 400 ? 33 : 32);

export function requestLog(
  mode = process.env.REQUEST_LOG ?? (process.stdout.isTTY ? 'pretty' : 'json'),
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): RequestLog | undefined {
  if (mode === 'off') return undefined;
  if (mode === 'json') {
    return (entry) => write(JSON.stringify({ time: new Date().toISOString(), type: 'request', ...entry }));
  }
  if (mode !== 'pretty') throw new Error(`REQUEST_LOG must be pretty, json or off, not "${mode}"`);
  return ({ method, target, status, ms, fn, reason }) => {
    const time = new Date().toTimeString().slice(0, 8);
    const tail = [fn, reason && `— ${reason}`].filter(Boolean).join(' ');
    write(
      `\x1b[2m${time}\x1b[0m ${method.padEnd(6)} ${target.padEnd(40)} \x1b[${colour(status)}m${status}\x1b[0m ${ms
        .toFixed(0)
        .padStart(5)} ms  \x1b[2m${tail}\x1b[0m`,
    );
  };
}
