/**
 * Child process of `npm run bench:export`: runs one queued export through the
 * app's own runner (claim → build → COMPLETE) on DATABASE_URL, and prints one
 * JSON line with the time it took and this process's peak RSS. A separate
 * process so the peak RSS is the export's, not the seeding's.
 */
import { performance } from "node:perf_hooks";

const { runNextExport } = await import("#app/jobs/export-runner.server.ts");
const { prisma } = await import("#app/utils/db.server.ts");

let peakRss = process.memoryUsage().rss;
let atPeak = process.memoryUsage();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peakRss) {
    peakRss = m.rss;
    atPeak = m;
  }
}, 20);
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
await runNextExport();
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
const row = await prisma.recordExport.findFirstOrThrow({
  select: { id: true, status: true, totalRows: true, bytes: true, error: true },
});
console.log(JSON.stringify({ ...row, seconds, peakRss, rssBefore, atPeak }));
await prisma.$disconnect();
