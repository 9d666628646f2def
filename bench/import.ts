/**
 * People import benchmark: CSV files of new people (default 1,000 and
 * 10,000; `name,email,role,manager email,timezone`) imported through the
 * production build over HTTP as the admin, as the page's form sends them
 * with JavaScript (`/admin/users/import.data`): a dry run (the file,
 * multipart), then the apply (the checked text). Meanwhile enrolled agents
 * (default 20) keep uploading small event batches, so the table shows how
 * long an upload was held up while the import ran.
 *
 *   npm run bench:import                  (builds first)
 *   npx tsx bench/import.ts --workers 500 --sizes 100,1000 --quiet-seconds 3
 *
 * Targets: 1,000 rows well under 1 s; 10,000 rows under 5 s; no agent
 * upload blocked more than 100 ms. Same-run baseline: the same agents'
 * upload times before any import.
 */
import http from "node:http";
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { batchBody, enrollAgents, uploadBatch, type BenchDevice } from "./lib/agent-clients.ts";
import { int, runBench, text, type Row } from "./lib/harness.ts";
import { SINGLE_FETCH_HEADERS, decodeBody, httpRequest, signIn } from "./lib/http.ts";
import {
  FIRST_NAMES,
  LAST_NAMES,
  TIMEZONES,
  organisationPeople,
  seedOrganisation,
} from "./lib/organisation.ts";
import { enrollmentCodes, seededRandom } from "./lib/seed.ts";
import { fmtInt, formatBytes, formatMs, machineCpuSeconds, sleep, summarize } from "./lib/stats.ts";

const PASSWORD = "lull-bench-password";
const ADMIN_EMAIL = "bench-admin@lull.test";
const MAX_UPLOAD_MS = 100;

type Upload = { startedAt: number; ms: number; status: number; error?: string };

/**
 * `size` new people: teams of about 25 whose lead is in the same file and
 * reports to an existing manager; 1 in 100 a reviewer; zones as the
 * organisation's. Emails are unique across the run (`serial`).
 */
function importCsv(
  size: number,
  managers: readonly string[],
  random: () => number,
  serial: { n: number },
) {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const lines = ["name,email,role,manager email,timezone"];
  let lead = "";
  for (let i = 0; i < size; i++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const email = `${first}.${last}${++serial.n}@co.test`.toLowerCase().replace(/[^a-z0-9.@]/g, "");
    const isLead = i % 25 === 0;
    const manager = isLead ? pick(managers) : lead;
    if (isLead) lead = email;
    const role = random() < 0.01 ? "Reviewer" : "";
    lines.push(`${first} ${last},${email},${role},${manager},${pick(TIMEZONES)[0]}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The people-facing sentences in a single-fetch answer (its JSON strings that end in a full stop). */
function sentences(body: string): string[] {
  return [...body.matchAll(/"((?:[^"\\]|\\.){20,})"/g)].flatMap((m) => {
    try {
      const s = JSON.parse(`"${m[1]!}"`) as string;
      return /^[A-Z].*[.!]$/.test(s) ? [s] : [];
    } catch {
      return [];
    }
  });
}

await runBench({
  name: "import",
  title: "People import benchmark",
  about:
    "CSV imports of new people through the production server as the admin (dry run, then apply), timed, while enrolled agents keep uploading events: 1,000 rows well under 1 s, 10,000 under 5 s, no upload held up more than 100 ms.",
  serverRoute: "routes/admin.users.import",
  maxMinutes: 10,
  flags: {
    workers: int("active workers already there", 10000, 50),
    sizes: text("rows of each CSV", "1000,10000", "LIST"),
    agents: int("enrolled agents uploading throughout", 20, 1),
    uploadIntervalMs: int(
      "each agent's pause after an answer (≤ 120 uploads a minute)",
      600,
      0,
      "MS",
    ),
    batchSize: int("events per upload", 20, 1, "B"),
    quietSeconds: int("uploads with no import first (the baseline)", 10, 1, "S"),
    seed: int("PRNG seed of the organisation and files", 20261201),
  },
  checkFlags: (f) =>
    f.sizes.split(",").every((s) => Number.isInteger(Number(s)) && Number(s) > 0)
      ? undefined
      : "--sizes must be whole numbers, e.g. 1000,10000.",
  async run(bench) {
    const f = bench.flags;
    const sizes = f.sizes.split(",").map(Number);
    const { dbFile } = bench.migratedDatabase();
    const { hashPassword } = await import("#app/utils/password.server.ts");
    bench.log(`seeding an organisation of ${fmtInt(f.workers)} workers`);
    const seed = seedOrganisation(dbFile, {
      now: new Date(),
      seed: f.seed,
      ...organisationPeople(f.workers),
      devices: 0,
      pauses: 0,
      exemptions: 0,
      acknowledgedShare: 0.9,
      ingestDays: 0,
      policyChanges: 0,
      auditEvents: 0,
      admin: {
        email: ADMIN_EMAIL,
        name: "Bench Privacy Officer",
        timezone: "Europe/Berlin",
        passwordHash: await hashPassword(PASSWORD),
      },
    });
    const raw = new Database(dbFile, { readonly: true, fileMustExist: true });
    bench.onCleanup(() => raw.close());
    // Agents of workers who signed the current notice, so their events are stored.
    const agentWorkers = (
      raw
        .prepare(
          `SELECT a."workerId" AS id FROM "Acknowledgement" a JOIN "User" u ON u."id" = a."workerId"
           WHERE a."documentId" = ? AND u."deactivatedAt" IS NULL AND u."role" = 'WORKER' LIMIT ?`,
        )
        .all(seed.notice.id, f.agents) as { id: string }[]
    ).map((r) => r.id);
    const managers = (
      raw
        .prepare(
          `SELECT "email" FROM "User" WHERE "deactivatedAt" IS NULL
             AND "id" IN (SELECT "managerId" FROM "User" WHERE "managerId" IS NOT NULL)`,
        )
        .all() as { email: string }[]
    ).map((r) => r.email);
    const people = () => (raw.prepare(`SELECT COUNT(*) AS n FROM "User"`).get() as { n: number }).n;
    const codes = await enrollmentCodes(agentWorkers);

    const server = await bench.startServer({ TRUST_PROXY: "loopback" });
    const devices = await enrollAgents(
      server.port,
      agentWorkers.map((workerId, i) => ({ workerId, code: codes[i]! })),
    );
    bench.log(`enrolled ${devices.length} agents; signing in as ${ADMIN_EMAIL}`);
    const cookie = await signIn(server.port, ADMIN_EMAIL, PASSWORD);

    // Agents upload until the imports are done --------------------------------
    const uploads: Upload[] = [];
    let uploading = true;
    const uploader = async (device: BenchDevice) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (uploading) {
        const startedAt = performance.now();
        try {
          const res = await uploadBatch(server.port, device, batchBody(f.batchSize), agent);
          const error = res.status === 200 ? undefined : res.body.slice(0, 160);
          uploads.push({ startedAt, ms: res.ms, status: res.status, error });
        } catch (e) {
          const ms = performance.now() - startedAt;
          uploads.push({ startedAt, ms, status: 0, error: (e as Error).message });
        }
        await sleep(f.uploadIntervalMs);
      }
      agent.destroy();
    };
    const uploaders = devices.map(async (d, i) => {
      await sleep((i / devices.length) * f.uploadIntervalMs);
      await uploader(d);
    });
    const during = (from: number, to: number) =>
      uploads.filter((u) => u.startedAt < to && u.startedAt + u.ms > from);
    const describeUploads = (list: Upload[]) => {
      const s = summarize(list.map((u) => u.ms));
      const failures = list.filter((u) => u.status !== 200);
      const slow = list.filter((u) => u.ms > MAX_UPLOAD_MS).length;
      const first = failures[0];
      return {
        s,
        failed: failures.length,
        text: `longest ${formatMs(s.max)} · p50 ${formatMs(s.p50)} · p95 ${formatMs(s.p95)} (${fmtInt(list.length)} uploads of ${f.batchSize} events by ${devices.length} agents; ${slow} over ${MAX_UPLOAD_MS} ms; ${failures.length} failed${first ? `, first: ${first.status || "no answer"} ${first.error}` : ""})`,
      };
    };
    bench.log(`uploads with no import: ${f.quietSeconds} s`);
    const quietFrom = performance.now();
    const quietCpu = { server: server.cpuSeconds(), machine: machineCpuSeconds() };
    await sleep(f.quietSeconds * 1000);
    const quiet = describeUploads(during(quietFrom, performance.now()));
    const quietServer = server.cpuSeconds() - quietCpu.server;
    const quietOther = machineCpuSeconds() - quietCpu.machine - quietServer;
    const rows: Row[] = [
      {
        metric: "Agent uploads with no import (same run, before the imports)",
        value: quiet.text,
        target: "baseline",
        verdict: "info",
      },
    ];

    // The imports ----------------------------------------------------------------
    const post = (body: string | Buffer, contentType: string) =>
      httpRequest({
        port: server.port,
        method: "POST",
        path: "/admin/users/import.data",
        headers: {
          ...SINGLE_FETCH_HEADERS,
          Cookie: cookie,
          Origin: server.origin,
          "Content-Type": contentType,
        },
        body,
        timeoutMs: 300_000,
      });
    const random = seededRandom(f.seed ^ 0x1cc);
    const serial = { n: 0 };
    const notes: string[] = [];
    for (const size of sizes) {
      const csv = importCsv(size, managers, random, serial);
      const before = people();
      const from = performance.now();
      const cpu0 = {
        server: server.cpuSeconds(),
        machine: machineCpuSeconds(),
        self: process.cpuUsage(),
      };
      bench.log(
        `importing ${fmtInt(size)} people (${formatBytes(Buffer.byteLength(csv))}): dry run`,
      );
      const boundary = `----lullbench${size}`;
      const multipart = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="people-${size}.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\npreview\r\n--${boundary}--\r\n`,
      );
      const dryRun = await post(multipart, `multipart/form-data; boundary=${boundary}`);
      const dryText = decodeBody(dryRun);
      bench.log(`apply (dry run answered ${dryRun.status} in ${formatMs(dryRun.ms)})`);
      const apply = await post(
        new URLSearchParams({ csv, intent: "apply" }).toString(),
        "application/x-www-form-urlencoded",
      );
      const to = performance.now();
      const seconds = (to - from) / 1000;
      const serverCpu = server.cpuSeconds() - cpu0.server;
      const self = process.cpuUsage(cpu0.self);
      const otherCpu =
        machineCpuSeconds() - cpu0.machine - serverCpu - (self.user + self.system) / 1e6;
      const applyText = decodeBody(apply);
      const created = people() - before;
      const ok = apply.status === 200 && created === size;
      const problem = (text: string) => sentences(text)[0] ?? text.slice(0, 160);
      const targetMs = size <= 1000 ? 1000 : 5000;
      rows.push(
        {
          metric: `Import of ${fmtInt(size)} people: dry run (file upload, every row checked)`,
          value: `${formatMs(dryRun.ms)} (answered ${dryRun.status}${dryRun.status === 200 ? "" : `: ${problem(dryText)}`})`,
          target: "—",
          verdict: "info",
        },
        {
          metric: `Import of ${fmtInt(size)} people: apply`,
          value: ok
            ? `${formatMs(apply.ms)} (${fmtInt(created)} people created, answer ${formatBytes(apply.raw.length)} ${String(apply.headers["content-encoding"] ?? "identity")})`
            : `${formatMs(apply.ms)}, not imported: answered ${apply.status}, ${fmtInt(created)} people created; ${problem(applyText)}`,
          target: size <= 1000 ? "well under 1 s (< 1 s)" : "< 5 s",
          verdict: ok && apply.ms < targetMs ? "pass" : "FAIL",
        },
      );
      const blocked = describeUploads(during(from, to));
      rows.push({
        metric: `Agent uploads during the ${fmtInt(size)}-row import (dry run and apply)`,
        value: blocked.text,
        target: `≤ ${MAX_UPLOAD_MS} ms each`,
        verdict: blocked.s.max <= MAX_UPLOAD_MS && blocked.failed === 0 ? "pass" : "FAIL",
      });
      notes.push(
        `${fmtInt(size)}-row file: ${formatBytes(Buffer.byteLength(csv))}; dry run answer ${formatBytes(Buffer.byteLength(dryText))}, apply answer ${formatBytes(Buffer.byteLength(applyText))} (decoded); dry run and apply took ${seconds.toFixed(1)} s, server CPU ${serverCpu.toFixed(1)} s, other processes on the machine ${Math.max(0, otherCpu).toFixed(1)} s.`,
      );
      await sleep(2000);
    }
    uploading = false;
    await Promise.all(uploaders);

    return {
      rows,
      notes: [
        `Organisation before the imports: ${fmtInt(seed.people.total)} people (${fmtInt(seed.people.active)} active, ${fmtInt(seed.people.directors + seed.people.lineManagers)} managers), no pauses or exemptions; database ${formatBytes(statSync(dbFile).size)} after the run.`,
        `Files: \`name,email,role,manager email,timezone\`; teams of 25 whose lead is in the same file and reports to an existing manager, the others to their lead; 1 in 100 a reviewer; emails new. Each is posted as the page's form does with JavaScript: the dry run as multipart (\`intent=preview\` and the file) to \`/admin/users/import.data\`, then the apply as \`intent=apply\` with the checked text; response time from sending the request to the last byte of the answer. The import is verified by counting the people in the database.`,
        `Agents: ${devices.length} enrolled devices of workers who signed the current notice (so their events are stored), each uploading ${f.batchSize} events (\`POST /api/agent/v1/events\`, its own keep-alive connection), then waiting ${f.uploadIntervalMs} ms; an upload counts for an import when it was in flight at any time between the dry run's request and the apply's answer.`,
        `Baseline window: ${f.quietSeconds} s of uploads with no import; server CPU ${quietServer.toFixed(1)} s, everything else on the machine (this client included) ${Math.max(0, quietOther).toFixed(1)} s.`,
        ...notes,
      ],
    };
  },
});
