// Preloaded (node --import) into the Hookflow child by bench/run.mjs: if the bench process
// dies without cleaning up (SIGKILL, crash), the server stops itself instead of lingering.
// One unref'd timer per second; nothing else.
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 3000).unref();
  }
}, 1000);
timer.unref();
