/**
 * Loaded into the bench's server process with `node --import` (through
 * NODE_OPTIONS): on SIGUSR2 it collects garbage and writes the process's
 * memory and open handles as one JSON line to $LULL_BENCH_MEMORY_FILE. Bench
 * only; the app never loads it.
 */
import { appendFileSync } from "node:fs";
import v8 from "node:v8";
import vm from "node:vm";

const file = process.env.LULL_BENCH_MEMORY_FILE;
if (file) {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  process.on("SIGUSR2", () => {
    gc();
    const memory = process.memoryUsage();
    const resources = process.getActiveResourcesInfo();
    const counts = {};
    for (const kind of resources) counts[kind] = (counts[kind] ?? 0) + 1;
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), ...memory, resources: counts })}\n`);
  });
}
