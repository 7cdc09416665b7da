// Kills the local runtime's child processes when the runtime dies, however it dies (even SIGKILL),
// and removes what it asked to (its in-memory data folder, its data-folder lock): the runtime writes
// `add <pid>` / `forget <pid>` / `remove <path>` / `keep <path>` to our stdin; when that pipe
// closes, the runtime is gone.
import { rmSync } from 'node:fs';
import process from 'node:process';
import { createInterface } from 'node:readline';

const pids = new Set();
const paths = new Set();
const reap = () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const path of paths) rmSync(path, { recursive: true, force: true });
  process.exit(0);
};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [verb, ...rest] = line.split(' ');
  const value = rest.join(' ');
  if (verb === 'remove') paths.add(value);
  if (verb === 'keep') paths.delete(value);
  const pid = Number(value);
  if (!Number.isInteger(pid)) return;
  if (verb === 'add') pids.add(pid);
  if (verb === 'forget') pids.delete(pid);
});
lines.on('close', reap);
