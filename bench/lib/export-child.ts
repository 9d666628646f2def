/**
 * Child process of `npm run bench:export`: runs one queued export through the
 * app's own runner (claim → build → COMPLETE) on DATABASE_URL, and prints one
 * JSON line with the time it took and this process's peak RSS. A separate
 * process so the peak RSS is the export's, not the seeding's.
 */
import { readFileSync } from "node:fs";
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
// VmHWM: this process image's peak RSS. (getrusage's maxRSS is no good here: Linux carries it
// over from the parent across fork and exec, so it reports the bench's own peak.)
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
if (hwm) peakRss = Math.max(peakRss, Number(hwm[1]) * 1024);
const row = await prisma.recordExport.findFirstOrThrow({
  select: { id: true, status: true, totalRows: true, bytes: true, error: true },
});
console.log(JSON.stringify({ ...row, seconds, peakRss, rssBefore, atPeak }));
await prisma.$disconnect();
