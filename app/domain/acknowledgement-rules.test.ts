import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  DocumentDraftSchema,
  documentStatus,
  MONITORING_NOTICE_SLUG,
  namesMatch,
  publishHoldImpact,
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

describe("publishHoldImpact", () => {
  const notice = { slug: MONITORING_NOTICE_SLUG, requiresAcknowledgement: true };
  test("holds the people collecting now, and counts those already held apart", () => {
    expect(
      publishHoldImpact({
        policyRequires: true,
        draft: notice,
        currentNotice: { requiresAcknowledgement: true },
        activePeople: 30,
        signedCurrentNotice: 29,
      }),
    ).toEqual({ newlyHeld: 29, alreadyHeld: 1, activePeople: 30 });
  });

  test("holds nobody when the policy does not gate, the draft need not be signed, or it is another document", () => {
    const base = {
      policyRequires: true,
      draft: notice,
      currentNotice: null,
      activePeople: 5,
      signedCurrentNotice: 0,
    };
    expect(publishHoldImpact(base)).toEqual({ newlyHeld: 5, alreadyHeld: 0, activePeople: 5 });
    expect(publishHoldImpact({ ...base, policyRequires: false })).toBeNull();
    expect(
      publishHoldImpact({ ...base, draft: { ...notice, requiresAcknowledgement: false } }),
    ).toBeNull();
    expect(
      publishHoldImpact({ ...base, draft: { ...notice, slug: "code-of-conduct" } }),
    ).toBeNull();
  });

  test("newly and already held always add up to everyone active", () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.nat(10_000),
        fc.boolean(),
        fc.boolean(),
        (active, signed, hasCurrent, currentRequires) => {
          fc.pre(signed <= active);
          const impact = publishHoldImpact({
            policyRequires: true,
            draft: notice,
            currentNotice: hasCurrent ? { requiresAcknowledgement: currentRequires } : null,
            activePeople: active,
            signedCurrentNotice: signed,
          });
          expect(impact!.newlyHeld + impact!.alreadyHeld).toBe(active);
          expect(impact!.newlyHeld).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
