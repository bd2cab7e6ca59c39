import { acme } from '../test/support/runtime.ts';
import { BENCH_TOKEN, benchPost, pool, startBenchRuntime } from '../bench/bench-runtime.ts';

const { runtime, stop } = await startBenchRuntime();
try {
  await benchPost(runtime, '/customers', acme);
  await pool(
    Array.from({ length: 1000 }, (_, n) => n),
    16,
    async (n) =>
      void (await benchPost(runtime, '/issues', { customerId: 'acme', title: `Bench issue ${n}`, severity: 'sev3', description: 'x' })),
  );
  await runtime.tracker.idle();
  for (let run = 0; run < 6; run++) {
    const t0 = performance.now();
    const response = await fetch(`${runtime.urls.api}/issues?open=true&limit=100`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
    const text = await response.text();
    const t1 = performance.now();
    const me = await fetch(`${runtime.urls.api}/me`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
    await me.text();
    console.log(
      `GET /issues?open=true&limit=100: ${(t1 - t0).toFixed(0)} ms, ${text.length} bytes; /me ${(performance.now() - t1).toFixed(0)} ms`,
    );
  }
} finally {
  await stop();
}
