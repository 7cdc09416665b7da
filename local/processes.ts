/**
 * Child processes of the local runtime. Every child is registered here and
 * killed when this process exits (Ctrl-C, SIGTERM, an uncaught error, a normal
 * exit); a detached reaper process also kills them if this one dies in a way
 * no handler sees (SIGKILL, OOM), so none is left behind.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

const children = new Set<ChildProcess>();
/** Paths removed when this process exits, however it exits (the reaper sees to SIGKILL). */
const leftovers = new Set<string>();

function killAll(signal: NodeJS.Signals) {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

let reaper: ChildProcess | undefined;
function hookExit() {
  if (reaper) return;
  // 'exit' handlers must be synchronous: SIGKILL is immediate and needs no waiting.
  process.on('exit', () => {
    killAll('SIGKILL');
    for (const path of leftovers) rmSync(path, { recursive: true, force: true });
  });
  reaper = spawn(process.execPath, [resolve(import.meta.dirname, 'reaper.mjs')], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void }).unref?.();
}

/** Removes `path` when this process exits, even when it is killed outright. */
export function removeOnExit(path: string): () => void {
  hookExit();
  leftovers.add(path);
  reaper?.stdin?.write(`remove ${path}\n`);
  return () => {
    rmSync(path, { recursive: true, force: true });
    leftovers.delete(path);
    if (reaper?.stdin?.writable) reaper.stdin.write(`keep ${path}\n`);
  };
}

export interface Child {
  process: ChildProcess;
  /** Last lines the child printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export function startChild(name: string, command: string, args: string[], options: SpawnOptions): Child {
  hookExit();
  // `npm run debug` puts the inspector on this process only: a child inheriting --inspect would
  // fight it for the port.
  const nodeOptions = (options.env ?? process.env).NODE_OPTIONS?.replace(/--inspect(-brk|-wait)?(=\S+)?/g, '').trim();
  const env = { ...(options.env ?? process.env), NODE_OPTIONS: nodeOptions ?? '' };
  const child = spawn(command, args, { ...options, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  if (child.pid) reaper?.stdin?.write(`add ${child.pid}\n`);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.once('exit', () => {
    children.delete(child);
    if (child.pid && reaper?.stdin?.writable) reaper.stdin.write(`forget ${child.pid}\n`);
  });
  child.once('error', (error) => lines.push(`${name}: ${error.message}`));
  return {
    process: child,
    output: () => lines.join('\n'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` until it resolves true, the child dies, or the deadline passes. */
export async function waitUntil(what: string, child: Child, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${what} exited early:\n${child.output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s:\n${child.output()}`);
}
