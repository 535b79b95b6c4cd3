// Preloaded into the real server by startup.test.ts: once the server answers /health, one promise
// rejects with nobody awaiting it, as a forgotten `void somethingAsync()` would.
const port = process.env.PORT;
const timer = setInterval(async () => {
  const ok = await fetch(`http://127.0.0.1:${port}/health`)
    .then((r) => r.ok)
    .catch(() => false);
  if (!ok) return;
  clearInterval(timer);
  void Promise.reject(new Error("boom from a forgotten promise"));
}, 100);
timer.unref();
