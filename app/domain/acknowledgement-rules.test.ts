import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  DocumentDraftSchema,
  documentStatus,
  namesMatch,
  signatureSchema,
} from "./acknowledgement-rules.ts";

describe("namesMatch", () => {
  test("ignores case and extra spaces, not letters", () => {
    expect(namesMatch("  wren   CASTELLANOS ", "Wren Castellanos")).toBe(true);
    expect(namesMatch("Wren Castellano", "Wren Castellanos")).toBe(false);
    expect(namesMatch("", "")).toBe(false);
  });

  test("composed and decomposed accents are the same name", () => {
    expect(namesMatch("Luci\u0301a Ferna\u0301ndez", "Lucía Fernández")).toBe(true);
  });

  test("property: any spacing and casing of the profile name matches; a changed letter does not", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[A-Za-z'-]{1,12}$/), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        (words, gaps, upper) => {
          const profile = words.join(" ");
          const spaced = ` ${words.map((w, i) => w + " ".repeat(gaps[i]!)).join("")}`;
          const typed = upper ? spaced.toUpperCase() : spaced.toLowerCase();
          expect(namesMatch(typed, profile)).toBe(true);
          expect(namesMatch(`${typed}x`, profile)).toBe(false);
        },
      ),
    );
  });
});

describe("signatureSchema", () => {
  const schema = signatureSchema("Wren Castellanos");
  test("needs the tick and the profile name", () => {
    expect(
      schema.safeParse({ documentId: "d", confirm: "on", signedName: "wren castellanos" }).success,
    ).toBe(true);
    const missing = schema.safeParse({ documentId: "d", signedName: "Wren Castellanos" });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(["confirm"]);
    const wrong = schema.safeParse({ documentId: "d", confirm: "on", signedName: "Someone Else" });
    expect(wrong.error?.issues[0]?.path).toEqual(["signedName"]);
  });
});

describe("documentStatus", () => {
  test("signed, outdated, never, or for information only", () => {
    expect(
      documentStatus({ currentVersion: 2, signedVersions: [1, 2], requiresAcknowledgement: true }),
    ).toBe("signed");
    expect(
      documentStatus({ currentVersion: 2, signedVersions: [1], requiresAcknowledgement: true }),
    ).toBe("outdated");
    expect(
      documentStatus({ currentVersion: 1, signedVersions: [], requiresAcknowledgement: true }),
    ).toBe("never");
    expect(
      documentStatus({ currentVersion: 1, signedVersions: [], requiresAcknowledgement: false }),
    ).toBe("not_required");
  });
});

describe("DocumentDraftSchema", () => {
  test("a document may not take the address of the portal's own page under /acknowledgements", () => {
    const draft = { title: "A title", body: "A body of at least twenty characters." };
    expect(DocumentDraftSchema.safeParse({ ...draft, slug: "verify" }).success).toBe(false);
    expect(DocumentDraftSchema.safeParse({ ...draft, slug: "verify-notice" }).success).toBe(true);
  });
});
