// One user (or one address) at a limit, in a process of its own as an attacker would be: it sends
// one kind of request as fast as it is answered until it is told to stop (SIGTERM), then prints
// how each was answered. Started by flood-measure.ts (measureAbuse) for `npm run bench`.
//   ABUSE_KIND   joins | tickets | pages | signIns | signUps
//   ABUSE_HTTP, ABUSE_WS_URL, ABUSE_TOKEN, ABUSE_ROOM, ABUSE_EMAIL
import { request } from 'node:http';
import WebSocket from 'ws';

const env = process.env;
const kind = env.ABUSE_KIND!;
const statuses: Record<string, number> = {};
const count = (status: number | string) => (statuses[status] = (statuses[status] ?? 0) + 1);
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  process.stdout.write(JSON.stringify(statuses));
  process.exit(0);
});

/** One HTTP request from `localAddress` (the edge counts by address: sign-ups come from 127.0.0.2). */
function send(method: string, path: string, body?: unknown, localAddress = '127.0.0.1') {
  return new Promise<number>((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      new URL(path, env.ABUSE_HTTP),
      {
        method,
        localAddress,
        headers: {
          ...(env.ABUSE_TOKEN ? { authorization: `Bearer ${env.ABUSE_TOKEN}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', () => resolve(0));
    req.end(payload);
  });
}

const HTTP_ABUSE: Record<string, () => Promise<number>> = {
  tickets: () => send('POST', '/chat/tickets'),
  pages: () => send('GET', `/chat/rooms/${env.ABUSE_ROOM}/messages?limit=100`),
  signIns: () => send('POST', '/auth/login', { email: env.ABUSE_EMAIL, password: 'Wr0ng!Passw0rd' }),
  signUps: () =>
    send(
      'POST',
      '/auth/register',
      {
        name: 'Abuser',
        email: `abuse-${Math.random().toString(36).slice(2)}@example.test`,
        password: 'Str0ng!Passw0rd',
      },
      '127.0.0.2',
    ),
};

async function httpLoop(next: () => Promise<number>) {
  while (!stopping) count(await next());
}

if (kind === 'joins') {
  const socket = new WebSocket(env.ABUSE_WS_URL!);
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type?: string; status?: number; message?: string };
    count(frame.type === 'error' ? frame.status! : (frame.type ?? frame.message ?? 'other'));
  });
  socket.on('open', () => {
    process.stderr.write('abusing\n');
    // 50 frames every 50 ms, as fast as a script sends them without queueing forever.
    setInterval(() => {
      for (let i = 0; i < 50; i++) socket.send(JSON.stringify({ action: 'joinRoom', roomId: env.ABUSE_ROOM }));
    }, 50);
  });
  socket.on('error', (error) => {
    process.stderr.write(`abuser: ${error.message}\n`);
    process.exit(1);
  });
} else {
  const next = HTTP_ABUSE[kind];
  if (!next) throw new Error(`Unknown ABUSE_KIND ${kind}`);
  process.stderr.write('abusing\n');
  // Four requests in flight at all times.
  for (let i = 0; i < 4; i++) void httpLoop(next);
}
