/**
 * Invariants of the code's shape that review alone would let slip (ADR 0013):
 * one path for every change, and layers that only depend downwards.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, expectTypeOf, test } from "vitest";
import type {
  decideCancel,
  decideEndEarly,
  evaluatePauseRequest,
} from "#app/domain/pause-policy.ts";
import type { decideTransition } from "#app/domain/exemption-transitions.ts";
import type { decideExportRequest } from "#app/domain/records-export.ts";
import type { Refused } from "#app/domain/refusal.ts";
import type { signDocument } from "#app/models/acknowledgement.server.ts";
import type { enrollDevice } from "#app/models/device.server.ts";
import type { changeExemptionStatus, fileExemptionRequest } from "#app/models/exemption.server.ts";
import type { completePasswordSetup } from "#app/models/password-setup.server.ts";
import type { changePause, createPause } from "#app/models/pause.server.ts";
import type { createDraft } from "#app/models/policy-document.server.ts";
import type { requestExport } from "#app/models/record-export.server.ts";
import type { createUserAccount, updateUserAccount } from "#app/models/user-account.server.ts";
import type { setUserActive } from "#app/models/user-activation.server.ts";
import type { applyImport } from "#app/models/user-import.server.ts";
import type { issueSetupLink } from "#app/models/user-setup-link.server.ts";
import type { signIn } from "#app/web/auth.server.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith("app/generated/"));
}

const APP = sourceFiles("app");

/** Files (outside `allowed`) whose code matches `pattern`, with the line. */
function offenders(pattern: RegExp, allowed: string[]): string[] {
  const found: string[] = [];
  for (const file of APP) {
    if (allowed.includes(file)) continue;
    readFileSync(path.join(ROOT, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

const RUNNER = "app/commands/command.server.ts";
const DISPATCHER = "app/commands/outbox-dispatcher.server.ts";

describe("one path for every change", () => {
  test("only the dispatcher pushes state changes to agents", () => {
    expect(
      offenders(/publishStateChange(ToEveryone)?\s*\(/, [
        DISPATCHER,
        "app/utils/state-bus.server.ts",
      ]),
    ).toEqual([]);
  });

  test("only the dispatcher sends or stores mail", () => {
    expect(
      offenders(/sendOverSmtp\s*\(|\.sendMail\s*\(|outboundEmail\.create|from "nodemailer"/, [
        DISPATCHER,
        "app/utils/mail.server.ts",
      ]),
    ).toEqual([]);
  });

  test("only the command runner moves a state version", () => {
    expect(offenders(/stateVersion(At)?\s*:\s*(\{\s*increment|new Date|now\b)/, [RUNNER])).toEqual(
      [],
    );
    expect(offenders(/"stateVersion"\s*=|stateVersion\s*=\s*"stateVersion"/, [RUNNER])).toEqual([]);
  });

  test("only the dispatcher wakes the export runner", () => {
    expect(
      offenders(/notifyExportQueued\s*\(/, [DISPATCHER, "app/utils/export-queue.server.ts"]),
    ).toEqual([]);
  });
});

describe("layers depend downwards", () => {
  const importsOf = (file: string) =>
    [
      ...readFileSync(path.join(ROOT, file), "utf8").matchAll(
        /from "(#app\/[^"]+|\.{1,2}\/[^"]+)"/g,
      ),
    ]
      .map((m) => m[1]!)
      .map((spec) =>
        spec.startsWith("#app/")
          ? spec.slice(1)
          : path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), spec)),
      );

  function violations(layer: string, forbidden: string[]) {
    return sourceFiles(layer).flatMap((file) =>
      importsOf(file)
        .filter((target) => forbidden.some((f) => target.startsWith(`app/${f}/`)))
        .map((target) => `${file} imports ${target}`),
    );
  }

  test("utils/ imports nothing above it", () => {
    expect(
      violations("app/utils", ["models", "components", "routes", "jobs", "commands", "web"]),
    ).toEqual([]);
  });

  test("domain/ is pure: no server modules, no database, no UI", () => {
    expect(
      violations("app/domain", [
        "models",
        "components",
        "routes",
        "jobs",
        "commands",
        "web",
        "utils",
      ]),
    ).toEqual([]);
  });

  test("models never speak HTTP", () => {
    const http = sourceFiles("app/models").filter((file) =>
      /@remix-run\/|new Response\(|\bstatus:\s*[1-5]\d\d\b/.test(
        readFileSync(path.join(ROOT, file), "utf8"),
      ),
    );
    expect(http).toEqual([]);
  });
});

describe("one shape of refusal (app/domain/refusal.ts)", () => {
  /** Results that are not refusals to a client: parse results and a per-row import report. */
  const NOT_REFUSALS = [
    "app/domain/refusal.ts", // the shape itself
    "app/domain/local-time.ts", // parsing a local time: the route words the message
    "app/domain/csv.ts", // parsing CSV: becomes a file error of the import check
    "app/domain/user-import.ts", // the import's per-row check, refused as import_invalid by the model
    "app/models/user-import.server.ts", // its private checkFile; applyImport refuses with a refusal
  ];

  test("models and domain rules say no only as { ok: false, refusal }", () => {
    const found = sourceFiles("app/models")
      .concat(sourceFiles("app/domain"))
      .filter((file) => !NOT_REFUSALS.includes(file))
      .flatMap((file) =>
        readFileSync(path.join(ROOT, file), "utf8")
          .split("\n")
          .flatMap((line, i) =>
            /\bok:\s*false\b/.test(line) && !/\brefusal\b/.test(line)
              ? [`${file}:${i + 1}: ${line.trim()}`]
              : [],
          ),
      );
    expect(found).toEqual([]);
  });

  test("every decision that can refuse a client returns Refused (checked by tsc)", () => {
    /** true when the function's `ok: false` side exists and is a Refused. */
    type RefusesStandard<F extends (...args: never[]) => unknown> = [
      Extract<Awaited<ReturnType<F>>, { ok: false }>,
    ] extends [never]
      ? false
      : Extract<Awaited<ReturnType<F>>, { ok: false }> extends Refused
        ? true
        : false;
    expectTypeOf<RefusesStandard<typeof evaluatePauseRequest>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof decideEndEarly>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof decideCancel>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof decideTransition>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof decideExportRequest>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof createPause>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof changePause>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof fileExemptionRequest>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof changeExemptionStatus>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof signDocument>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof createDraft>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof requestExport>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof enrollDevice>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof completePasswordSetup>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof createUserAccount>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof updateUserAccount>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof setUserActive>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof issueSetupLink>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof applyImport>>().toEqualTypeOf<true>();
    expectTypeOf<RefusesStandard<typeof signIn>>().toEqualTypeOf<true>();
  });
});

describe("request bodies (ADR 0018)", () => {
  test("are read only within a limit, through request-body.server.ts", () => {
    expect(
      offenders(
        // Code, not comments: a line that does not start with * or //.
        /^(?!\s*(\*|\/\/)).*(\brequest\.(formData|json|text|arrayBuffer|blob)\(|\.body\.getReader\(|parseMultipartFormData)/,
        ["app/web/request-body.server.ts"],
      ),
    ).toEqual([]);
  });
});

describe("one data-access API for two databases (ADR 0032)", () => {
  /** The connection's own plumbing: pools, transactions, advisory locks, LISTEN/NOTIFY. */
  const PLUMBING = [
    "app/utils/db.server.ts",
    "app/utils/one-node.server.ts",
    "app/utils/state-fanout.server.ts",
  ];

  test("raw SQL lives only in an aggregate's -sqlite / -postgres store files", () => {
    const raw = offenders(/\$queryRaw|\$executeRaw|\.prepare\(|\bclient\.query\b|\bdb\.exec\(/, [
      ...PLUMBING,
      ...APP.filter((f) => /-(sqlite|postgres)\.server\.ts$/.test(f)),
    ]);
    expect(raw).toEqual([]);
  });

  test("a store file of one provider never imports the other provider's", () => {
    const crossed: string[] = [];
    for (const file of APP.filter((f) => /-(sqlite|postgres)\.server\.ts$/.test(f))) {
      const other = file.endsWith("-sqlite.server.ts") ? "-postgres.server" : "-sqlite.server";
      const text = readFileSync(path.join(ROOT, file), "utf8");
      if (new RegExp(`from "[^"]*${other}(\\.ts)?"`).test(text)) crossed.push(file);
    }
    expect(crossed).toEqual([]);
  });
});
