// Kills the local runtime's child processes when the runtime dies, however it dies (even SIGKILL):
// the runtime writes each child's pid to our stdin; when that pipe closes, the runtime is gone.
import process from 'node:process';
import { createInterface } from 'node:readline';

const pids = new Set();
const reap = () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [verb, value] = line.split(' ');
  const pid = Number(value);
  if (!Number.isInteger(pid)) return;
  if (verb === 'add') pids.add(pid);
  if (verb === 'forget') pids.delete(pid);
});
lines.on('close', reap);
