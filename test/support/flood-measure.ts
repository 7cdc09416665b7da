/**
 * One user floods a socket with sendMessage frames (from a process of its own, as an attacker
 * would) while another reads an order: the reader's p99, quiet and during the flood, side by side.
 * Used by test/load/flood.test.ts (correctness) and `npm run bench` (the 3× target).
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

async function readLatencies(setup: FloodSetup, count: number): Promise<number[]> {
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
