/**
 * npm forwards only SIGINT and SIGTERM to a script; SIGHUP (a closed terminal) kills npm outright,
 * and an IDE or a shell may die without passing anything on. A long-running script that outlives
 * its parent holds ports and children nobody can see: when the parent is gone, so are we.
 */
export function whenParentGone(stop: () => void, everyMs = 500): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, everyMs);
  timer.unref();
}
