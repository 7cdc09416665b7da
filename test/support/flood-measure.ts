/**
 * One user floods a socket with sendMessage frames (from a process of its own, as an attacker
 * would) while another reads an order: the reader's p99, quiet and during the flood, side by side.
 * Used by test/load/flood.test.ts (correctness) and `npm run bench` (the 3× target). measureAbuse
 * does the same for each other limit a user or an address can be held at (abuser.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

export interface FloodSetup {
  httpUrl: string;
  wsUrl: string;
  flooderToken: string;
  floodRoom: string;
  readerToken: string;
  readerOrder: string;
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;

type Reader = Pick<FloodSetup, 'httpUrl' | 'readerToken' | 'readerOrder'>;

async function readLatencies(setup: Reader, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(`${setup.httpUrl}/orders/${setup.readerOrder}`, {
      headers: { authorization: `Bearer ${setup.readerToken}` },
    });
    await response.text();
    if (response.status !== 200) throw new Error(`The reader got ${response.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

export async function measureFlood(setup: FloodSetup, frameCount = 2000) {
  await readLatencies(setup, 20); // warm up
  const quietP99 = p99(await readLatencies(setup, 100));
  const ticket = await fetch(`${setup.httpUrl}/chat/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${setup.flooderToken}` },
  }).then((r) => r.json() as Promise<{ ticket: string }>);
  const flood = spawn(process.execPath, [resolve(import.meta.dirname, 'flood.ts')], {
    env: {
      ...process.env,
      FLOOD_URL: `${setup.wsUrl}?ticket=${encodeURIComponent(ticket.ticket)}`,
      FLOOD_ROOM: setup.floodRoom,
      FLOOD_COUNT: String(frameCount),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  flood.stdout.on('data', (chunk: Buffer) => (output += chunk));
  await once(flood.stderr, 'data'); // "flooding"
  const floodP99 = p99(await readLatencies(setup, 100));
  await once(flood, 'exit');
  return { quietP99, floodP99, frames: JSON.parse(output) as any[] };
}

export type AbuseKind = 'joins' | 'tickets' | 'pages' | 'signIns' | 'signUps';

export interface AbuseSetup {
  httpUrl: string;
  wsUrl: string;
  /** The abuser: their token, a room of theirs, their e-mail address. */
  abuserToken: string;
  abuserRoom: string;
  abuserEmail: string;
  readerToken: string;
  readerOrder: string;
}

/** The reader's p99 quiet, then while one user (or one address) is held at a limit by `kind`. */
export async function measureAbuse(setup: AbuseSetup, kind: AbuseKind) {
  const reader: Reader = setup;
  await readLatencies(reader, 20); // warm up
  const quietP99 = p99(await readLatencies(reader, 100));
  let wsUrl = '';
  if (kind === 'joins') {
    const ticket = await fetch(`${setup.httpUrl}/chat/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${setup.abuserToken}` },
    }).then((r) => r.json() as Promise<{ ticket: string }>);
    wsUrl = `${setup.wsUrl}?ticket=${encodeURIComponent(ticket.ticket)}`;
  }
  const abuser = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'abuser.ts')], {
    env: {
      ...process.env,
      ABUSE_KIND: kind,
      ABUSE_HTTP: setup.httpUrl,
      ABUSE_WS_URL: wsUrl,
      ABUSE_TOKEN: kind === 'signIns' || kind === 'signUps' ? '' : setup.abuserToken,
      ABUSE_ROOM: setup.abuserRoom,
      ABUSE_EMAIL: setup.abuserEmail,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  abuser.stdout.on('data', (chunk: Buffer) => (output += chunk));
  await once(abuser.stderr, 'data'); // "abusing"
  // Let it reach its limit before the reader starts.
  await new Promise((r) => setTimeout(r, 500));
  const abusedP99 = p99(await readLatencies(reader, 100));
  abuser.kill('SIGTERM');
  await once(abuser, 'exit');
  return { kind, quietP99, abusedP99, answers: JSON.parse(output || '{}') as Record<string, number> };
}
