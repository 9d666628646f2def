/**
 * Invariants of the code's shape that review alone would let slip (ADR 0013):
 * one path for every change, and layers that only depend downwards.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

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
