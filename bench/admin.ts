/**
 * Privacy office console benchmark: the server response time of the admin
 * pages at large-company scale (default 10,000 active workers in ~400
 * teams, 15,000 devices, 300,000 pauses over 30 days, 5,000 exemption
 * requests), signed in as the admin, against the production build, with
 * the same SQL on better-sqlite3 as the same-run baseline
 * (bench/lib/page-bench.ts). Target: p95 under 200 ms per page, as a
 * document and as `.data`.
 *
 *   npm run bench:admin                       (builds first)
 *   npx tsx bench/admin.ts --workers 500 --requests 10 --warmup 3   (quick check)
 */
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { toStoredDateTime } from "#app/utils/sqlite-adapter.server.ts";
import { int, num, runBench, text } from "./lib/harness.ts";
import { PageSession, signIn } from "./lib/http.ts";
import { seedOrganisation } from "./lib/organisation.ts";
import {
  capturingPrisma,
  measurePages,
  pageFlags,
  timeInProcess,
  type Page,
} from "./lib/page-bench.ts";
import { fmtInt, formatBytes } from "./lib/stats.ts";

const PASSWORD = "lull-bench-password";
const ADMIN_EMAIL = "bench-admin@lull.test";
const ADMIN_TIMEZONE = "Europe/Berlin";
const PEOPLE_PAGE_SIZE = 25;

/** What a statement of the admin pages does, in a few words: the first whose patterns all match. */
const STATEMENTS: [RegExp[], string][] = [
  [[/FROM User u CROSS JOIN Pause p/], "pauses of the last 30 days (User × Pause)"],
  [[/GROUP BY u\.managerId/], "teams (GROUP BY managerId, per-person subqueries)"],
  [[/FROM ExemptionRequest r/], "exemption requests with their first decision"],
  [[/SUM\(d\.lastSeenAt IS NULL\)/], "fleet totals (conditional sums)"],
  [[/GROUP BY d\.platform/], "devices by platform"],
  [[/GROUP BY d\.agentVersion/], "devices by agent version"],
  [[/FROM Device d/, /LIMIT \? OFFSET \?/], "one page of devices"],
  [[/COUNT\(\*\) AS total FROM Device d/], "devices matching the filter"],
  [[/FROM IngestDay/], "ingestion counts per day"],
  [[/FROM PolicyDocument/, /Acknowledgement/], "acknowledgements per notice version"],
  [[/FROM PolicyDocument/], "current monitoring notice"],
  [[/FROM AuditEvent/, /COUNT/], "policy changes (count)"],
  [[/FROM AuditEvent/], "policy changes (page)"],
  [[/FROM Policy\b/], "policy settings"],
  [[/FROM User WHERE User\.id IN \(/], "names of the people listed (by id)"],
  [[/FROM User/, /COUNT/, /LIKE/], "people matching the search (count)"],
  [[/FROM User/, /COUNT/], "people (count)"],
  [[/FROM User/, /OFFSET/], "one page of people (ORDER BY name)"],
];
const describeStatement = (sql: string) => {
  const s = sql.replace(/`main`\./g, "").replace(/[`"]/g, "");
  return STATEMENTS.find(([all]) => all.every((re) => re.test(s)))?.[1];
};

await runBench({
  name: "admin",
  title: "Privacy office console benchmark",
  about:
    "The console pages at large-company scale (defaults scale with --workers), signed in as the admin: p95 < 200 ms per page as a document and as .data, with the same SQL on better-sqlite3 as the same-run baseline.",
  serverRoute: "routes/admin.devices",
  maxMinutes: 25,
  flags: {
    workers: int("active workers", 10000, 20),
    deactivated: int("deactivated workers (default 3 % of --workers)", undefined),
    managers: int("directors and line managers (default workers / 25)", undefined, 1),
    reviewers: int("reviewers", 10),
    devices: int("device rows (default 1.5 × workers)", undefined),
    pauses: int("pauses over the last 30 days (default 30 × workers)", undefined),
    exemptions: int("exemption requests over a year (default workers / 2)", undefined),
    acknowledgedShare: num("share of active people who signed the current notice", 0.9, 0, 1),
    auditEvents: int("other audit events over a year (default 20 × workers)", undefined),
    policyChanges: int("policy.update audit events", 40),
    q: text("the /admin/users search (part of common surnames)", "son"),
    usersPage: int("the deep /admin/users page (the last one if fewer)", 200, 1, "P"),
    seed: int("PRNG seed of the data", 20261127),
    ...pageFlags({ requests: 30, warmup: 10, retentionWaitSeconds: 120 }),
  },
  checkFlags: (f) => (f.q.trim() ? undefined : "--q must not be empty."),
  async run(bench) {
    const f = bench.flags;
    const { dbFile, databaseUrl, migrateSeconds } = bench.migratedDatabase();
    const { hashPassword } = await import("#app/utils/password.server.ts");
    const sizes = {
      workers: f.workers,
      deactivated: f.deactivated ?? Math.round(f.workers * 0.03),
      managers: f.managers ?? Math.max(2, Math.round(f.workers / 25)),
      reviewers: f.reviewers,
      devices: f.devices ?? Math.round(f.workers * 1.5),
      pauses: f.pauses ?? f.workers * 30,
      exemptions: f.exemptions ?? Math.round(f.workers / 2),
      auditEvents: f.auditEvents ?? f.workers * 20,
      policyChanges: f.policyChanges,
    };
    bench.log(
      `seeding ${fmtInt(sizes.workers)} workers (+${fmtInt(sizes.deactivated)} deactivated), ${fmtInt(sizes.managers)} managers, ${fmtInt(sizes.devices)} devices, ${fmtInt(sizes.pauses)} pauses, ${fmtInt(sizes.exemptions)} exemption requests`,
    );
    const seed = seedOrganisation(dbFile, {
      ...sizes,
      now: new Date(),
      seed: f.seed,
      acknowledgedShare: f.acknowledgedShare,
      ingestDays: 14,
      admin: {
        email: ADMIN_EMAIL,
        name: "Bench Privacy Officer",
        timezone: ADMIN_TIMEZONE,
        passwordHash: await hashPassword(PASSWORD),
      },
    });
    const dbBytes = statSync(dbFile).size;
    bench.log(
      `seeded ${fmtInt(seed.people.total)} people, ${fmtInt(seed.devices.total)} devices, ${fmtInt(seed.pauses.total)} pauses, ${fmtInt(seed.exemptions.total)} requests in ${seed.seconds.toFixed(1)} s (${formatBytes(dbBytes)})`,
    );

    const raw = new Database(dbFile, { readonly: true, fileMustExist: true });
    bench.onCleanup(() => raw.close());
    const one = (sql: string, ...args: unknown[]) =>
      (raw.prepare(sql).get(...args) as { n: number }).n;
    const count = (table: string) => one(`SELECT COUNT(*) AS n FROM "${table}"`);
    const seededAcks = seed.acknowledgements.previous + seed.acknowledgements.current;
    const auditRows = count("AuditEvent");
    const expectedCounts: [string, number][] = [
      ["User", seed.people.total],
      ["Device", seed.devices.total],
      ["Pause", seed.pauses.total],
      ["ExemptionRequest", seed.exemptions.total],
      ["ExemptionStatusChange", seed.exemptions.historyRows],
      ["Acknowledgement", seededAcks],
      ["IngestDay", seed.ingestDays],
    ];
    const incomplete = expectedCounts.filter(([table, n]) => count(table) !== n);
    if (incomplete.length) throw new Error(`Seed incomplete: ${JSON.stringify(incomplete)}`);

    // The pages and what each must show ------------------------------------
    const { sink } = await capturingPrisma(bench, databaseUrl);
    const { getReportingOverview, reportDays } = await import("#app/models/reporting.server.ts");
    const { getFleetSummary, listFleetDevices } = await import("#app/models/fleet.server.ts");
    const { listPeople } = await import("#app/models/user.server.ts");
    const { getPolicySettings, listPolicyHistory } = await import("#app/models/policy.server.ts");
    const notes: string[] = [];
    const totalPeople = seed.people.total;
    const peoplePages = Math.ceil(totalPeople / PEOPLE_PAGE_SIZE);
    const usersPage = Math.min(f.usersPage, peoplePages);
    if (usersPage !== f.usersPage) {
      notes.push(
        `Only ${peoplePages} pages of people at this size: \`/admin/users?page=${usersPage}\` (the last) instead of page ${f.usersPage}.`,
      );
    }
    const activeDevices = seed.devices.total - seed.devices.revoked;
    const number = (re: RegExp) => (html: string) => {
      const m = re.exec(html.replace(/<!-- -->/g, ""))?.[1];
      return m === undefined ? undefined : Number(m);
    };
    const q = f.q.trim();
    const qMatches = one(
      `SELECT COUNT(*) AS n FROM "User" WHERE "name" LIKE ? OR "email" LIKE ?`,
      `%${q}%`,
      `%${q}%`,
    );
    const fleet = (filter: "all" | "behind") => () => {
      const now = new Date();
      return Promise.all([getFleetSummary(now), listFleetDevices({ filter, q: "", page: 1, now })]);
    };
    const peopleCount = number(/aria-live="polite">(\d+) (?:person|people)</);
    const pages: Page[] = [
      {
        key: "overview",
        label: "`/admin` (reporting)",
        path: "/admin",
        dataPath: "/admin.data",
        what: `${fmtInt(seed.people.active)} active people under ${fmtInt(seed.people.directors + seed.people.lineManagers)} managers, ${fmtInt(seed.pauses.total)} pauses, ${fmtInt(seed.exemptions.total)} requests, ${fmtInt(seededAcks)} acknowledgements`,
        run: () => getReportingOverview(new Date(), ADMIN_TIMEZONE),
        expect: () => [
          {
            label: "pauses in the last 30 days",
            value: one(
              `SELECT COUNT(*) AS n FROM "Pause" WHERE "startsAt" >= ? AND "startsAt" <= ? AND "cancelledAt" IS NULL`,
              toStoredDateTime(reportDays(new Date(), ADMIN_TIMEZONE)[0]!.start.getTime()),
              toStoredDateTime(Date.now()),
            ),
          },
          {
            label: "active people",
            value: one(`SELECT COUNT(*) AS n FROM "User" WHERE "deactivatedAt" IS NULL`),
          },
        ],
        read: (html) => [
          // Every day has five or more people pausing at this scale: the days shown are all of them.
          number(/data-testid="pause-summary">(\d+) on the days shown/)(html),
          number(/how many of the\s+(\d+) active people/)(html),
        ],
      },
      {
        key: "devices",
        label: "`/admin/devices` (fleet health)",
        path: "/admin/devices",
        dataPath: "/admin/devices.data",
        what: `${fmtInt(activeDevices)} active devices (${fmtInt(seed.devices.total)} with revoked), first page of 25`,
        run: fleet("all"),
        expect: () => [{ label: "active devices", value: activeDevices }],
        read: (html) => [number(/(\d+) devices?: All active devices/)(html)],
      },
      {
        key: "behind",
        label: "`/admin/devices?filter=behind`",
        path: "/admin/devices?filter=behind",
        dataPath: "/admin/devices.data?filter=behind",
        what: `${fmtInt(seed.devices.behind)} devices behind (incl. ${fmtInt(seed.devices.neverSeen)} never seen), first page`,
        run: fleet("behind"),
        expect: () => [{ label: "devices behind", value: seed.devices.behind }],
        read: (html) => [number(/(\d+) devices?: Behind by more than a minute/)(html)],
      },
      {
        key: "search",
        label: `\`/admin/users?q=${q}\``,
        path: `/admin/users?q=${encodeURIComponent(q)}`,
        dataPath: `/admin/users.data?q=${encodeURIComponent(q)}`,
        what: `${fmtInt(qMatches)} of ${fmtInt(totalPeople)} people match, first page of 25`,
        run: () => listPeople({ query: q, role: null, page: 1 }),
        expect: () => [{ label: "people matching", value: qMatches }],
        read: (html) => [peopleCount(html)],
      },
      {
        key: "deep",
        label: `\`/admin/users?page=${usersPage}\``,
        path: `/admin/users?page=${usersPage}`,
        dataPath: `/admin/users.data?page=${usersPage}`,
        what: `people ${fmtInt((usersPage - 1) * PEOPLE_PAGE_SIZE + 1)}–${fmtInt(Math.min(totalPeople, usersPage * PEOPLE_PAGE_SIZE))} of ${fmtInt(totalPeople)} by name`,
        run: () => listPeople({ query: "", role: null, page: usersPage }),
        expect: () => [
          { label: "people", value: totalPeople },
          {
            label: "people listed",
            value: (
              raw
                .prepare(`SELECT "id" FROM "User" ORDER BY "name", "id" LIMIT ? OFFSET ?`)
                .all(PEOPLE_PAGE_SIZE, (usersPage - 1) * PEOPLE_PAGE_SIZE) as { id: string }[]
            ).map((r) => r.id),
          },
        ],
        read: (html) => [
          peopleCount(html),
          [...html.matchAll(/href="\/admin\/users\/(c[a-z0-9]{24})"/g)].map((m) => m[1]!),
        ],
      },
      {
        key: "policy",
        label: "`/admin/policy`",
        path: "/admin/policy",
        dataPath: "/admin/policy.data",
        what: `settings and the first 20 of ${fmtInt(seed.policyChanges)}+ changes among ${fmtInt(auditRows)} audit events`,
        run: () => Promise.all([getPolicySettings(), listPolicyHistory(1)]),
        expect: () => [
          {
            label: "policy changes",
            value: one(`SELECT COUNT(*) AS n FROM "AuditEvent" WHERE "action" = 'policy.update'`),
          },
        ],
        read: (html) => [number(/Policy changes, newest first \((\d+)\)/)(html)],
      },
    ];

    // Measure: in process before the server starts, then over HTTP ---------
    const inProcess = await timeInProcess(bench, pages, sink);
    const server = await bench.startServer();
    bench.log(`signing in as ${ADMIN_EMAIL}`);
    const session = new PageSession(server.port, await signIn(server.port, ADMIN_EMAIL, PASSWORD));
    const measured = await measurePages(bench, {
      server,
      session,
      signedInAs: "the admin",
      raw,
      pages,
      inProcess,
      targetMs: 200,
      retentionScope: `for ${fmtInt(seed.devices.total)} devices and their workers`,
      describe: describeStatement,
    });

    const byStatus = Object.entries(seed.exemptions.byStatus)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k.toLowerCase()} ${fmtInt(v)}`)
      .join(", ");
    return {
      rows: measured.rows,
      notes: [
        `People: ${fmtInt(seed.people.active)} active (${fmtInt(seed.people.workers)} workers, ${seed.people.directors} directors, ${fmtInt(seed.people.lineManagers)} line managers, ${seed.people.reviewers} reviewers, 1 admin) and ${fmtInt(seed.people.deactivated)} deactivated; line managers' teams of ${seed.teams.smallest}–${seed.teams.largest} (median ${seed.teams.median}), ${seed.teams.under5} under 5; ${fmtInt(seed.people.withoutManager)} active people without a manager.`,
        `Devices: ${fmtInt(seed.devices.total)} (${fmtInt(seed.devices.revoked)} revoked); ${fmtInt(seed.devices.behind)} active ones behind their worker's state (${fmtInt(seed.devices.neverSeen)} never seen). Pauses: ${fmtInt(seed.pauses.total)} over the last 30 days (${fmtInt(seed.pauses.scheduled)} scheduled, ${fmtInt(seed.pauses.cancelled)} cancelled, ${fmtInt(seed.pauses.endedEarly)} ended early). Exemption requests: ${fmtInt(seed.exemptions.total)} over a year (${byStatus}) with ${fmtInt(seed.exemptions.historyRows)} history rows. Monitoring notice: version 1 signed ${fmtInt(seed.acknowledgements.previous)} times, version 2 (current) ${fmtInt(seed.acknowledgements.current)}. ${seed.ingestDays} IngestDay rows; ${fmtInt(auditRows)} audit events (${seed.policyChanges}+ policy changes). Database ${formatBytes(dbBytes)}.`,
        `Seed: ${seed.seconds.toFixed(1)} s with better-sqlite3 (migrations ${migrateSeconds.toFixed(1)} s before it).`,
        ...measured.notes,
        ...notes,
      ],
      sections: measured.section,
    };
  },
});
