import { describe, expect, test } from "vitest";
import { EXPORT_SCHEMA_VERSION } from "#app/domain/records-export.ts";
import { archiveReadme, buildManifest, contactAddress } from "./manifest.ts";

describe("the archive's README and manifest", () => {
  test("the README's contact is the address of MAIL_FROM, with or without a display name", () => {
    expect(contactAddress("Lull privacy portal <privacy@lull.test>")).toBe("privacy@lull.test");
    expect(contactAddress("dpo@example.com")).toBe("dpo@example.com");
    expect(contactAddress('"Privacy, Office" <dpo@example.com> ')).toBe("dpo@example.com");
  });

  test("the README names the contact and the worker's time zone", () => {
    const text = archiveReadme({
      mailFrom: "Data Office <dpo@example.com>",
      timeZone: "Asia/Kolkata",
    });
    expect(text).toContain("Questions: dpo@example.com\n");
    expect(text).toContain("(Asia/Kolkata)");
    expect(text).not.toContain("lull.test");
  });

  test("the manifest lists the files in order, with the schema version and a UTC time", () => {
    const files = [
      { name: "README.txt", rows: 0, bytes: 10, sha256: "a" },
      { name: "events.csv", rows: 2, bytes: 20, sha256: "b" },
    ];
    expect(
      buildManifest({
        exportId: "e1",
        workerId: "w1",
        generatedAt: new Date("2026-11-27T09:30:00Z"),
        timeZone: "Europe/Berlin",
        files,
      }),
    ).toEqual({
      exportId: "e1",
      workerId: "w1",
      generatedAt: "2026-11-27T09:30:00.000Z",
      schemaVersion: EXPORT_SCHEMA_VERSION,
      timeZone: "Europe/Berlin",
      files,
    });
  });
});
