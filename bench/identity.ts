/**
 * Directory provisioning benchmark (issue 19): an organisation of 10,000
 * workers (default) provisioned and kept in step over SCIM, through the
 * production build, as a large identity provider drives it:
 * - the lookup it makes before every write (`userName eq "…"`),
 * - the first full sync (every account, 100 a page),
 * - new hires (POST /Users), leavers (PATCH active:false: sessions ended,
 *   devices revoked),
 * - a group of 1,000 members built 100 at a time (PATCH add members),
 * - an admin mapping that group to a role on the Identity page (every
 *   directory-managed role recomputed in one command).
 * Same-run baseline: GET /scim/v2/ServiceProviderConfig (the token check and
 * nothing else).
 *
 *   npm run bench:identity                   (builds first)
 *   npx tsx bench/identity.ts --workers 2000 --lookups 200
 *
 * Targets: a lookup p99 under 50 ms at 10,000 workers; a create or a
 * deactivation p99 under 100 ms; 100 members added to a group under 500 ms;
 * the role mapping of 1,000 people under 5 s.
 */
import { createHash, randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { int, runBench, type Row } from "./lib/harness.ts";
import { httpRequest, signIn, type HttpResult } from "./lib/http.ts";
import { organisationPeople, seedOrganisation } from "./lib/organisation.ts";
import { seededRandom } from "./lib/seed.ts";
import { fmtInt, formatMs, formatSummary, summarize } from "./lib/stats.ts";

const PASSWORD = "lull-bench-password";
const ADMIN_EMAIL = "bench-admin@lull.test";
const SCIM_JSON = "application/scim+json";
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

function verdict(ok: boolean): Row["verdict"] {
  return ok ? "pass" : "FAIL";
}

await runBench({
  name: "identity",
  title: "Directory provisioning benchmark (SCIM)",
  about:
    "SCIM lookups, a full sync, creates, deactivations and group membership through the production server at 10,000 workers, and an admin's group → role mapping recomputing 1,000 directory-managed roles; against the token check alone.",
  serverRoute: "routes/scim.v2.Users",
  maxMinutes: 15,
  flags: {
    workers: int("active workers already there", 10000, 50),
    lookups: int("userName eq lookups (and baseline requests)", 1000, 10),
    creates: int("new people created", 200, 1),
    deactivations: int("people deactivated", 100, 1),
    groupMembers: int("members of the group built 100 at a time", 1000, 100),
    seed: int("PRNG seed of the organisation", 20261202),
  },
  async run(bench) {
    const f = bench.flags;
    const { dbFile } = bench.migratedDatabase();
    const { hashPassword } = await import("#app/utils/password.server.ts");
    bench.log(`seeding an organisation of ${fmtInt(f.workers)} workers`);
    seedOrganisation(dbFile, {
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
    // A SCIM token, made as the Identity page makes it (only its hash stored).
    const token = `lull_scim_${randomBytes(32).toString("base64url")}`;
    const raw = new Database(dbFile, { fileMustExist: true });
    bench.onCleanup(() => raw.close());
    raw
      .prepare(
        `INSERT INTO "ScimToken" ("id","name","tokenHash","prefix","createdAt","createdById")
         VALUES (?, 'bench', ?, ?, ?, 'bench')`,
      )
      .run(
        "benchtoken",
        createHash("sha256").update(token).digest("hex"),
        token.slice(0, 14),
        new Date().toISOString(),
      );
    const workers = (
      raw
        .prepare(
          `SELECT "id", "email" FROM "User" WHERE "role" = 'WORKER' AND "deactivatedAt" IS NULL ORDER BY "id"`,
        )
        .all() as { id: string; email: string }[]
    ).slice(0, f.workers);
    raw.close();

    const server = await bench.startServer({ TRUST_PROXY: "loopback" });
    const scim = (method: string, path: string, body?: unknown) =>
      httpRequest({
        port: server.port,
        method,
        path: `/scim/v2${path}`,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: SCIM_JSON,
          ...(body === undefined ? {} : { "Content-Type": SCIM_JSON }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: 60_000,
      });
    const failures: string[] = [];
    const expectStatus = (what: string, res: HttpResult, status: number) => {
      if (res.status !== status && failures.length < 5) {
        failures.push(`${what}: ${res.status} ${res.body.slice(0, 200)}`);
      }
      return res;
    };
    const random = seededRandom(f.seed);
    const pick = () => workers[Math.floor(random() * workers.length)]!;
    const rows: Row[] = [];

    // Baseline ------------------------------------------------------------------
    bench.log(`baseline: ${f.lookups} × ServiceProviderConfig`);
    const baseline: number[] = [];
    for (let i = 0; i < f.lookups; i++) {
      baseline.push(expectStatus("baseline", await scim("GET", "/ServiceProviderConfig"), 200).ms);
    }
    const base = summarize(baseline);
    rows.push({
      metric: "GET /ServiceProviderConfig (token check only; same-run baseline)",
      value: formatSummary(base),
      target: "baseline",
      verdict: "info",
    });

    // Lookups ---------------------------------------------------------------------
    bench.log(`${f.lookups} × userName eq lookups among ${fmtInt(workers.length)} workers`);
    const lookups: number[] = [];
    for (let i = 0; i < f.lookups; i++) {
      const filter = encodeURIComponent(`userName eq "${pick().email}"`);
      const res = expectStatus("lookup", await scim("GET", `/Users?filter=${filter}`), 200);
      if (res.status === 200 && JSON.parse(res.body).totalResults !== 1 && failures.length < 5) {
        failures.push(`lookup found ${JSON.parse(res.body).totalResults}, not 1`);
      }
      lookups.push(res.ms);
    }
    const lookup = summarize(lookups);
    rows.push({
      metric: `GET /Users?filter=userName eq "…" among ${fmtInt(workers.length)} workers`,
      value: `${formatSummary(lookup)} (${(lookup.p50 / base.p50).toFixed(1)}× baseline p50)`,
      target: "p99 < 50 ms",
      verdict: verdict(lookup.p99 < 50),
    });

    // Full sync -------------------------------------------------------------------
    bench.log("full sync, 100 a page");
    const syncFrom = performance.now();
    const pages: number[] = [];
    let listed = 0;
    for (let start = 1; ; start += 100) {
      const res = expectStatus(
        "page",
        await scim("GET", `/Users?startIndex=${start}&count=100`),
        200,
      );
      pages.push(res.ms);
      const body = JSON.parse(res.body) as { Resources?: unknown[]; totalResults: number };
      listed += body.Resources?.length ?? 0;
      if (!body.Resources?.length || start + 100 > body.totalResults) break;
    }
    const syncMs = performance.now() - syncFrom;
    const page = summarize(pages);
    rows.push({
      metric: `Full sync: every account, 100 a page (${fmtInt(listed)} accounts, ${pages.length} pages)`,
      value: `${formatMs(syncMs)} in all; a page ${formatSummary(page)}`,
      target: "a page p99 < 200 ms",
      verdict: verdict(page.p99 < 200),
    });

    // Creates -----------------------------------------------------------------------
    bench.log(`${f.creates} × POST /Users`);
    const creates: number[] = [];
    for (let i = 0; i < f.creates; i++) {
      const res = await scim("POST", "/Users", {
        schemas: [USER_SCHEMA],
        userName: `new.hire.${i}.${f.seed}@co.test`,
        name: { givenName: "New", familyName: `Hire ${i}` },
        active: true,
        externalId: `ext-${i}`,
      });
      creates.push(expectStatus("create", res, 201).ms);
    }
    const create = summarize(creates);
    rows.push({
      metric: "POST /Users (a new hire)",
      value: formatSummary(create),
      target: "p99 < 100 ms",
      verdict: verdict(create.p99 < 100),
    });

    // Deactivations --------------------------------------------------------------
    bench.log(`${f.deactivations} × PATCH active:false`);
    const leavers = workers.slice(workers.length - f.deactivations);
    const deactivations: number[] = [];
    for (const leaver of leavers) {
      const res = await scim("PATCH", `/Users/${leaver.id}`, {
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: "replace", path: "active", value: false }],
      });
      deactivations.push(expectStatus("deactivate", res, 200).ms);
    }
    const deactivation = summarize(deactivations);
    rows.push({
      metric: "PATCH /Users/{id} active:false (sessions end, devices revoked)",
      value: formatSummary(deactivation),
      target: "p99 < 100 ms",
      verdict: verdict(deactivation.p99 < 100),
    });

    // A group built 100 members at a time ----------------------------------------------
    bench.log(`a group of ${f.groupMembers} members, 100 at a time`);
    const group = expectStatus(
      "group",
      await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "bench-reviewers" }),
      201,
    );
    const groupId = (JSON.parse(group.body) as { id: string }).id;
    const members = workers.slice(0, Math.min(f.groupMembers, workers.length - f.deactivations));
    const adds: number[] = [];
    for (let i = 0; i < members.length; i += 100) {
      const res = await scim("PATCH", `/Groups/${groupId}`, {
        schemas: [PATCH_SCHEMA],
        Operations: [
          {
            op: "add",
            path: "members",
            value: members.slice(i, i + 100).map((m) => ({ value: m.id })),
          },
        ],
      });
      // 200 with the group, or 204 without it: both are RFC 7644.
      adds.push((res.status === 204 ? res : expectStatus("add members", res, 200)).ms);
    }
    const add = summarize(adds);
    rows.push({
      metric: `PATCH /Groups/{id}: 100 members added (${fmtInt(members.length)} in all)`,
      value: formatSummary(add),
      target: "p99 < 500 ms",
      verdict: verdict(add.p99 < 500),
    });

    // The admin maps the group to a role ---------------------------------------------------
    bench.log("the admin maps the group to Reviewer");
    const cookie = await signIn(server.port, ADMIN_EMAIL, PASSWORD);
    const mapping = await httpRequest({
      port: server.port,
      method: "POST",
      path: "/admin/identity",
      headers: {
        Cookie: cookie,
        Origin: server.origin,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        intent: "add-group",
        group: "bench-reviewers",
        role: "REVIEWER",
      }).toString(),
      timeoutMs: 120_000,
    });
    expectStatus("mapping", mapping, 302);
    const check = new Database(dbFile, { readonly: true, fileMustExist: true });
    const reviewers = (
      check
        .prepare(
          `SELECT COUNT(*) AS n FROM "User" WHERE "role" = 'REVIEWER' AND "roleSource" = 'DIRECTORY'`,
        )
        .get() as { n: number }
    ).n;
    check.close();
    rows.push({
      metric: `Identity page: group → Reviewer, recomputing every directory-managed role (${fmtInt(reviewers)} became reviewers)`,
      value: formatMs(mapping.ms),
      target: "< 5 s",
      verdict: verdict(mapping.ms < 5000 && reviewers === members.length),
    });

    return {
      rows,
      notes: [
        `${fmtInt(workers.length)} active workers seeded; one SCIM token; requests one at a time over fresh connections.`,
        "Targets come from what an identity provider does: Entra ID and Okta look a person up before every write and push groups in batches of about 100.",
      ],
      failure: failures.length ? `unexpected answers: ${failures.join(" · ")}` : undefined,
    };
  },
});
