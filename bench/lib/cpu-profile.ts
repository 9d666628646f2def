/**
 * Where a process spent its CPU: a V8 .cpuprofile (node --cpu-prof) reduced
 * to self time per area (Prisma, SQLite, Zod, Remix, app code...) and the
 * busiest functions. Idle time is left out of the shares.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { formatMs } from "./stats.ts";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
};
type Profile = {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};

function area(functionName: string, url: string): string {
  if (!url) {
    if (functionName === "(idle)") return "idle";
    if (functionName === "(garbage collector)") return "garbage collection";
    if (functionName === "(program)") return "V8/native (program)";
    return "native functions (incl. SQLite calls)";
  }
  if (url.startsWith("wasm://")) return "Prisma query compiler (wasm)";
  if (url.includes("@prisma/adapter-better-sqlite3")) return "Prisma better-sqlite3 adapter";
  if (url.includes("@prisma/")) return "Prisma client runtime";
  if (url.includes("better-sqlite3")) return "better-sqlite3 (JS)";
  if (url.includes("/zod/")) return "Zod";
  if (url.includes("@remix-run/")) return "Remix";
  if (/\/(express|compression|body-parser|send|router)\//.test(url)) return "Express";
  if (url.includes("/build/server/index.js")) return "app code (build/server/index.js)";
  if (url.includes("/build/server.js")) return "server.ts";
  if (url.startsWith("node:")) return "Node internals";
  if (url.includes("/node_modules/")) return `other packages`;
  return "other";
}

type ProfileSummary = {
  busyMs: number;
  /** Whether the samples were limited to the requested window. */
  windowed: boolean;
  areas: { name: string; ms: number; share: number }[];
  functions: { name: string; ms: number; share: number }[];
};

/**
 * `window` is in microseconds of the monotonic clock (process.hrtime in any
 * process on the same machine, which is also V8's profile clock on Linux);
 * without samples inside it, the whole profile is used.
 */
function summarizeCpuProfile(
  file: string,
  window?: { fromUs: number; toUs: number },
  topFunctions = 20,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const collect = (inWindow: (t: number) => boolean) => {
    const self = new Map<number, number>();
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      t += delta;
      if (inWindow(t)) self.set(id, (self.get(id) ?? 0) + delta);
    });
    return self;
  };
  let selfUs = window
    ? collect((t) => t >= window.fromUs && t <= window.toUs)
    : new Map<number, number>();
  const windowed = selfUs.size > 0;
  if (!windowed) selfUs = collect(() => true);
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = area(frame.functionName, frame.url);
    if (name === "idle") continue;
    areas.set(name, (areas.get(name) ?? 0) + us);
    const where = frame.url
      ? frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/build\//, "build/")
      : "";
    const fn = `${frame.functionName || "(anonymous)"}${where ? ` ${where}:${frame.lineNumber + 1}` : ""}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const busyUs = [...areas.values()].reduce((a, b) => a + b, 0);
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs ? us / busyUs : 0 }));
  return {
    busyMs: busyUs / 1000,
    windowed,
    areas: rank(areas),
    functions: rank(functions).slice(0, topFunctions),
  };
}

/**
 * The markdown section for the profile `node --cpu-prof` wrote into `dir`
 * (the process must have exited): busy CPU, areas and busiest functions,
 * limited to `window` (labelled `label`) when it holds samples.
 */
export function cpuProfileSection(
  dir: string,
  window: { fromUs: number; toUs: number; label: string } | undefined,
): string[] {
  const file = existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .find((f) => f.endsWith(".cpuprofile"))
    : undefined;
  if (!file) return ["No server CPU profile was written.", ""];
  const p = summarizeCpuProfile(path.join(dir, file), window);
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  return [
    `## Server CPU profile (${p.windowed && window ? window.label : "whole server lifetime"}, idle excluded)`,
    "",
    `Busy CPU: ${(p.busyMs / 1000).toFixed(2)} s.`,
    "",
    "| Area | CPU | Share |",
    "| --- | --- | --- |",
    ...p.areas.map((a) => `| ${a.name} | ${formatMs(a.ms)} | ${pct(a.share)} |`),
    "",
    "| Function (self time) | CPU | Share |",
    "| --- | --- | --- |",
    ...p.functions.map(
      (f) => `| \`${f.name.replace(/\|/g, "\\|")}\` | ${formatMs(f.ms)} | ${pct(f.share)} |`,
    ),
    "",
  ];
}
