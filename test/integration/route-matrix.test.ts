/**
 * Issue 15 ("Hardening"), must show: a route × role × method matrix, generated
 * from the route files (docs/security.md, V8 Authorization).
 *
 * Every module in app/routes (found on disk, test/route-files.ts), asked by
 * every identity with every method, answered by Remix's real request handler
 * (test/remix-handler.ts) behind the server's own origin and form-body checks
 * (server.ts), so each status is what a browser or an agent gets. The answers
 * are compared with the reviewed table in route-matrix.expected.json.
 *
 * Identities: `anonymous`; `worker`, who owns every object the URL names;
 * `otherWorker`; `reviewer`; `admin`; and `device`, the owner's enrolled agent
 * (`Authorization: Bearer`, no cookie). Path parameters are real: the owner's
 * exemption, acknowledgement, event, export, deletion receipt and account, a published document
 * and its slug; a set-password token is random (its holder is anonymous).
 *
 * Methods: `GET` (the document, or a resource route's own answer), `GET .data`
 * (single fetch: `/pauses.data`, `/_root.data` for the home page; a resource
 * route has none: "—"), and `POST` of a harmless same-origin form
 * (`intent=nothing`; to `?index` for an index route). A cell is the status,
 * and for a redirect its Location, with the ids put back as `:param`.
 *
 * "Wrote nothing": every row of every table is compared before and after each
 * request (test/db-fingerprint.ts); a session's sliding expiry is not a write.
 * Allowed, and nothing else (test/allowed-writes.ts): the reads ADR 0021 lists
 * (staff opening a worker's exemption request, or downloading an export they
 * asked for, record an audit event; an agent's state read marks its device
 * seen), opening one's own exemption marks its notification read, and a POST
 * to /logout ends the caller's own session. A harmless form refused with a 4xx
 * that re-renders a page runs that page's loader, so the page's read
 * allowances hold for it too. Any other write, and any 5xx, fails whatever the
 * table says.
 *
 * A new route file with no row in the table fails, and so does a row whose
 * file is gone. To (re)generate the table:
 *
 *   UPDATE_ROUTE_MATRIX=1 npx vitest run test/integration/route-matrix.test.ts
 *
 * then read the diff of route-matrix.expected.json line by line before
 * committing it: anonymous → 302 /login (401 on the agent API), workers → 403
 * on admin and review pages, another worker → 404 on the owner's objects.
 */
import { flushDevicesSeen } from "#app/web/device-seen.server.ts";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { format, resolveConfig } from "prettier";
import { beforeAll, describe, expect, test } from "vitest";
import { isFormBodyRequired, isFormContentType } from "#app/utils/form-body.server.ts";
import { isLegacyDataRequest } from "#app/utils/legacy-data.server.ts";
import { checkRequestOrigin } from "#app/utils/request-origin.server.ts";
import { unexpectedWrites } from "#test/allowed-writes.ts";
import {
  changedRows,
  describeChanges,
  snapshotDatabase,
  type RowChange,
} from "#test/db-fingerprint.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { createOwnedRecords } from "#test/owned-records.ts";
import { remixHandler } from "#test/remix-handler.ts";
import {
  asTestRoutes,
  fillPattern,
  loadRouteFiles,
  routeFileNames,
  type RouteFile,
} from "#test/route-files.ts";

const TABLE_FILE = path.join(import.meta.dirname, "route-matrix.expected.json");
const UPDATE = process.env.UPDATE_ROUTE_MATRIX === "1";
const BASE = "http://127.0.0.1:3000";

const IDENTITIES = [
  "anonymous",
  "worker",
  "otherWorker",
  "representative",
  "reviewer",
  "admin",
  "device",
] as const;
type IdentityName = (typeof IDENTITIES)[number];
const METHODS = ["GET", "GET .data", "POST"] as const;
type Method = (typeof METHODS)[number];

const READS = ["GET", "GET .data"] as const;

type Cells = Record<Method, string>;
type Row = { url: string } & Record<IdentityName, Cells>;
type Table = Record<string, Row>;

type Identity = { name: IdentityName; userId: string | null; cookie?: string; bearer?: string };

/** Routes whose POST ends the caller's session: each such POST gets a session of its own. */
const ENDS_SESSION = new Set(["logout.tsx"]);

/** What server.ts does before Remix sees a request: the origin check, no `?_data=`, "pages take forms". */
function behindServerChecks(handle: (request: Request) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const header = (name: string) => request.headers.get(name) ?? undefined;
    const verdict = checkRequestOrigin({
      method: request.method,
      protocol: url.protocol.slice(0, -1),
      host: url.host,
      path: url.pathname,
      headers: {
        origin: header("Origin"),
        secFetchSite: header("Sec-Fetch-Site"),
        authorization: header("Authorization"),
      },
    });
    if (!verdict.allowed) return new Response(verdict.reason, { status: 403 });
    if (isLegacyDataRequest(url.search)) return new Response("No ?_data=.", { status: 400 });
    if (
      isFormBodyRequired(request.method, url.pathname) &&
      !isFormContentType(header("Content-Type"))
    ) {
      return new Response("Pages take forms.", { status: 415 });
    }
    return handle(request);
  };
}

type Setup = {
  routes: RouteFile[];
  identities: Identity[];
  params: Record<string, string>;
  handle: (request: Request) => Promise<Response>;
};

/** The people, and the owner's objects each path parameter names. */
async function setUp(): Promise<Setup> {
  const routes = await loadRouteFiles();
  const worker = await createUser({ name: "Owner Worker" });
  const otherWorker = await createUser({ name: "Other Worker" });
  const reviewer = await createUser({ name: "Rita Reviewer", role: "REVIEWER" });
  const admin = await createUser({ name: "Ada Admin", role: "ADMIN" });
  const representative = await createUser({ name: "Remy Representative", role: "REPRESENTATIVE" });

  const owned = await createOwnedRecords({
    workerId: worker.id,
    adminId: admin.id,
    slug: "route-matrix-handbook",
  });

  // A dataset asked for by the admin (ADR 0043): its pages are the steward's and the admin's.
  const dataset = await prisma.dataset.create({
    data: {
      name: "Route matrix dataset",
      purposeId: "purpose-ai-training-1",
      rangeStart: new Date("2026-11-01T00:00:00.000Z"),
      rangeEnd: new Date("2026-11-02T00:00:00.000Z"),
      requestedById: admin.id,
      createdAt: new Date("2026-11-02T00:00:00.000Z"),
    },
  });

  const signedIn = async (name: IdentityName, user: { id: string }): Promise<Identity> => ({
    name,
    userId: user.id,
    cookie: await sessionCookieFor(user.id),
  });
  return {
    routes,
    identities: [
      { name: "anonymous", userId: null },
      await signedIn("worker", worker),
      await signedIn("otherWorker", otherWorker),
      await signedIn("representative", representative),
      await signedIn("reviewer", reviewer),
      await signedIn("admin", admin),
      { name: "device", userId: worker.id, bearer: owned.deviceToken },
    ],
    params: {
      exemptionId: owned.exemptionId,
      ackId: owned.acknowledgementId,
      eventId: String(owned.eventId),
      exportId: owned.exportId,
      receiptId: owned.receiptId,
      requestId: owned.rightsRequestId,
      userId: worker.id,
      documentId: owned.documentId,
      slug: owned.slug,
      purposeKey: "ai-training",
      datasetId: dataset.id,
      token: "x".repeat(43),
      // SCIM resources and discovery documents (the device and cookies hold no SCIM token).
      id: worker.id,
    },
    handle: behindServerChecks(remixHandler(asTestRoutes(routes))),
  };
}

function requestFor(
  method: Method,
  url: string,
  who: Identity,
  cookie: string | undefined,
  signal: AbortSignal,
) {
  const headers = new Headers({ Host: new URL(BASE).host });
  if (cookie) headers.set("Cookie", cookie);
  if (who.bearer) headers.set("Authorization", `Bearer ${who.bearer}`);
  if (method !== "POST") return new Request(`${BASE}${url}`, { headers, signal });
  headers.set("Content-Type", "application/x-www-form-urlencoded");
  // A browser's form on the page; an agent sends no browser headers.
  if (!who.bearer) {
    headers.set("Origin", BASE);
    headers.set("Sec-Fetch-Site", "same-origin");
  }
  return new Request(`${BASE}${url}`, { method: "POST", headers, body: "intent=nothing", signal });
}

type Outcome = { cell: string; status: number; writes: RowChange[]; url: string };

/** The URL a method asks for, or null when the route has no such thing. */
function urlFor(route: RouteFile, method: Method, params: Record<string, string>): string | null {
  const url = fillPattern(route.pattern, params);
  if (method === "GET") return url;
  if (method === "POST") return route.index ? `${url}?index` : url;
  if (route.resource) return null;
  return `${url === "/" ? "/_root" : url}.data`;
}

async function ask(setup: Setup, route: RouteFile, who: Identity, method: Method) {
  const url = urlFor(route, method, setup.params);
  if (url === null) return null;
  const cookie =
    method === "POST" && ENDS_SESSION.has(route.file) && who.userId && who.cookie
      ? await sessionCookieFor(who.userId)
      : who.cookie;
  const before = await snapshotDatabase();
  const abort = new AbortController();
  const res = await setup.handle(requestFor(method, url, who, cookie, abort.signal));
  if ((res.headers.get("Content-Type") ?? "").startsWith("text/event-stream")) {
    // A state stream never ends: the status is all the matrix needs.
    abort.abort();
    await res.body?.cancel();
  } else {
    await res.arrayBuffer();
  }
  // An agent's state read notes its device seen in a batch (ADR 0029): written now, by this request.
  await flushDevicesSeen();
  const writes = changedRows(before, await snapshotDatabase());
  const location = res.headers.get("Location");
  const cell = location
    ? `${res.status} ${withParamNames(location, route, setup.params)}`
    : String(res.status);
  return { cell, status: res.status, writes, url };
}

/** A Location with the fixtures' ids put back as `:param`, so the table does not change per run. */
function withParamNames(location: string, route: RouteFile, params: Record<string, string>) {
  let text = location;
  const filled = fillPattern(route.pattern, params);
  if (filled !== route.pattern) {
    text = text
      .replaceAll(encodeURIComponent(filled), encodeURIComponent(route.pattern))
      .replaceAll(filled, route.pattern);
  }
  for (const [name, value] of Object.entries(params)) {
    // Only ids long enough not to occur by accident (a small event id might).
    if (value.length >= 10) text = text.replaceAll(value, `:${name}`);
  }
  return text;
}

type Finding = { where: string; outcome: Outcome };

const matrix: {
  routes: RouteFile[];
  table: Table;
  serverErrors: Finding[];
  unexpectedWrites: { where: string; writes: RowChange[] }[];
} = { routes: [], table: {}, serverErrors: [], unexpectedWrites: [] };

beforeAll(async () => {
  const setup = await setUp();
  matrix.routes = setup.routes;
  for (const route of setup.routes) {
    const row = { url: route.pattern } as Row;
    for (const who of setup.identities) {
      const cells = {} as Cells;
      for (const method of METHODS) {
        const outcome = await ask(setup, route, who, method);
        if (!outcome) {
          cells[method] = "—";
          continue;
        }
        cells[method] = outcome.cell;
        const where = `${route.file}, ${who.name}, ${method} ${outcome.url}`;
        if (outcome.status >= 500) matrix.serverErrors.push({ where, outcome });
        const unexpected = unexpectedWrites(outcome.writes, {
          route: route.file,
          asking: method === "POST" ? "form" : "read",
          userId: who.userId,
        });
        if (unexpected.length > 0) matrix.unexpectedWrites.push({ where, writes: unexpected });
      }
      row[who.name] = cells;
    }
    matrix.table[route.file] = row;
  }
  if (UPDATE) {
    const options = (await resolveConfig(TABLE_FILE)) ?? {};
    writeFileSync(
      TABLE_FILE,
      await format(tableText(matrix.table), { ...options, filepath: TABLE_FILE }),
    );
  }
}, 300_000);

/** The table as JSON with one line per identity where it fits (Prettier keeps such objects on a line). */
function tableText(table: Table): string {
  const rows = Object.entries(table).map(([file, row]) => {
    const cells = IDENTITIES.map(
      (who) =>
        `    ${JSON.stringify(who)}: { ${METHODS.map((m) => `${JSON.stringify(m)}: ${JSON.stringify(row[who][m])}`).join(", ")} }`,
    );
    return `  ${JSON.stringify(file)}: {\n    "url": ${JSON.stringify(row.url)},\n${cells.join(",\n")}\n  }`;
  });
  return `{\n${rows.join(",\n")}\n}\n`;
}

function expectedTable(): Table {
  return JSON.parse(readFileSync(TABLE_FILE, "utf8")) as Table;
}

describe("route × role × method matrix", () => {
  test("every route file has a row in the table, and every row a route file", () => {
    const files = routeFileNames();
    const rows = Object.keys(expectedTable());
    const missing = files
      .filter((f) => !rows.includes(f))
      .map(
        (f) =>
          `app/routes/${f} has no row in route-matrix.expected.json: run UPDATE_ROUTE_MATRIX=1 npx vitest run test/integration/route-matrix.test.ts and review its row by hand.`,
      );
    const gone = rows
      .filter((r) => !files.includes(r))
      .map(
        (r) =>
          `route-matrix.expected.json has a row for ${r}, which is no longer in app/routes: remove the row (or regenerate the table).`,
      );
    expect([...missing, ...gone]).toEqual([]);
  });

  test("every identity gets the reviewed status from every route, with every method", () => {
    const expected = expectedTable();
    const differences: string[] = [];
    for (const [file, row] of Object.entries(matrix.table)) {
      const want = expected[file];
      if (!want) continue; // reported by the test above
      if (want.url !== row.url) differences.push(`${file}: URL ${row.url}, table says ${want.url}`);
      for (const who of IDENTITIES) {
        for (const method of METHODS) {
          const got = row[who][method];
          const wanted = want[who]?.[method];
          if (got !== wanted) {
            differences.push(`${file}, ${who}, ${method}: got ${got}, table says ${wanted}`);
          }
        }
      }
    }
    expect(differences).toEqual([]);
  });

  test("no answer in the matrix is a 5xx", () => {
    expect(matrix.serverErrors.map((f) => `${f.where}: ${f.outcome.cell}`)).toEqual([]);
  });

  test("a harmless POST writes nothing, and a GET only what ADR 0021 allows", () => {
    expect(matrix.unexpectedWrites.map((w) => `${w.where}:\n${describeChanges(w.writes)}`)).toEqual(
      [],
    );
  });
});

/*
 * The rules the table must follow, checked on the answers themselves, so that
 * regenerating the table cannot quietly accept a leak.
 */
describe("the rules every row follows", () => {
  /** Pages and endpoints anyone may open signed out. */
  const PUBLIC = new Set([
    "login.tsx",
    "login_.password.tsx",
    "auth.sso.tsx",
    "auth.sso_.callback.tsx",
    "logout.tsx",
    "set-password.$token.tsx",
    "healthz.ts",
    "[.well-known].lull-receipt-key.ts",
    "api.agent.v1.openapi[.]json.ts",
    "api.agent.v1.enroll.ts",
  ]);
  /** Path parameters naming one worker's own records. */
  const OWN_RECORDS = ["exemptionId", "ackId", "eventId", "exportId", "receiptId", "requestId"];
  const SIGNED_IN = ["worker", "otherWorker", "representative", "reviewer", "admin"] as const;
  const STAFF_AREA = /^\/(admin|review|datasets|council)(\/|$)/;
  const isAgentApi = (route: RouteFile) => route.pattern.startsWith("/api/agent/");
  const isScim = (route: RouteFile) => route.pattern.startsWith("/scim/v2/");
  const cell = (route: RouteFile, who: IdentityName, method: Method) =>
    matrix.table[route.file]![who][method];
  const reads = (route: RouteFile) => (route.resource ? (["GET"] as const) : READS);

  test("signed out, every page but the public ones sends you to sign in", () => {
    const wrong: string[] = [];
    for (const route of matrix.routes) {
      if (PUBLIC.has(route.file) || isAgentApi(route) || isScim(route)) continue;
      for (const who of ["anonymous", "device"] as const) {
        for (const method of reads(route)) {
          const got = cell(route, who, method);
          if (!/^30[12] \/login|^202 \/login/.test(got))
            wrong.push(`${route.file} ${who} ${method}: ${got}`);
        }
        const post = cell(route, who, "POST");
        const wanted = route.hasAction ? /^302 \/login/ : /^405$/;
        if (!wanted.test(post)) wrong.push(`${route.file} ${who} POST: ${post}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("the agent API takes no cookie: anyone without the device's token gets 401 (or 405 for a method it lacks)", () => {
    const wrong: string[] = [];
    for (const route of matrix.routes.filter((r) => isAgentApi(r) && !PUBLIC.has(r.file))) {
      for (const who of ["anonymous", ...SIGNED_IN] as const) {
        for (const method of ["GET", "POST"] as const) {
          const got = cell(route, who, method);
          const lacks = method === "GET" ? !route.hasLoader : !route.hasAction;
          if (got !== "401" && !(got === "405" && (lacks || route.hasAction))) {
            wrong.push(`${route.file} ${who} ${method}: ${got}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  test("SCIM takes only its own bearer token: every identity here (cookies, a device token) gets 401", () => {
    const wrong: string[] = [];
    for (const route of matrix.routes.filter(isScim)) {
      for (const who of IDENTITIES) {
        for (const method of ["GET", "POST"] as const) {
          const got = cell(route, who, method);
          if (got !== "401") wrong.push(`${route.file} ${who} ${method}: ${got}`);
        }
      }
    }
    expect(matrix.routes.filter(isScim).length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });

  test("workers are refused with 403 on every admin and review page", () => {
    const wrong: string[] = [];
    for (const route of matrix.routes.filter((r) => STAFF_AREA.test(r.pattern))) {
      for (const who of ["worker", "otherWorker"] as const) {
        for (const method of reads(route)) {
          if (cell(route, who, method) !== "403") wrong.push(`${route.file} ${who} ${method}`);
        }
        const post = cell(route, who, "POST");
        if (post !== (route.hasAction ? "403" : "405"))
          wrong.push(`${route.file} ${who} POST: ${post}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("reviewers are refused with 403 on every admin page", () => {
    const wrong = matrix.routes
      .filter((r) => r.pattern.startsWith("/admin"))
      .flatMap((route) =>
        reads(route)
          .filter((method) => cell(route, "reviewer", method) !== "403")
          .map((method) => `${route.file} ${method}: ${cell(route, "reviewer", method)}`),
      );
    expect(wrong).toEqual([]);
  });

  test("representatives are refused with 403 on every admin, review and datasets page (ADR 0042)", () => {
    const wrong: string[] = [];
    for (const route of matrix.routes.filter((r) =>
      /^\/(admin|review|datasets)(\/|$)/.test(r.pattern),
    )) {
      for (const method of reads(route)) {
        const got = cell(route, "representative", method);
        if (got !== "403" && got !== "404") wrong.push(`${route.file} ${method}: ${got}`);
      }
      const post = cell(route, "representative", "POST");
      if (post !== (route.hasAction ? "403" : "405")) wrong.push(`${route.file} POST: ${post}`);
    }
    expect(wrong).toEqual([]);
  });

  test("only representatives open the council's pages", () => {
    const wrong: string[] = [];
    for (const route of matrix.routes.filter((r) => r.pattern.startsWith("/council"))) {
      if (cell(route, "representative", "GET") !== "200")
        wrong.push(`${route.file} representative`);
      for (const who of ["worker", "otherWorker", "reviewer", "admin"] as const) {
        for (const method of reads(route)) {
          if (cell(route, who, method) !== "403") wrong.push(`${route.file} ${who} ${method}`);
        }
      }
    }
    expect(matrix.routes.some((r) => r.pattern.startsWith("/council"))).toBe(true);
    expect(wrong).toEqual([]);
  });

  test("nobody but the owner reads the owner's records outside the staff pages: 404, as if they did not exist", () => {
    const wrong: string[] = [];
    for (const route of matrix.routes) {
      if (STAFF_AREA.test(route.pattern) || !route.params.some((p) => OWN_RECORDS.includes(p))) {
        continue;
      }
      expect(cell(route, "worker", "GET"), `${route.file}: the owner opens it`).toBe("200");
      for (const who of ["otherWorker", "representative", "reviewer", "admin"] as const) {
        for (const method of reads(route)) {
          if (cell(route, who, method) !== "404") wrong.push(`${route.file} ${who} ${method}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
