import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  diffDocuments,
  diffTokens,
  sideOf,
  splitBlocks,
  type BlockChange,
} from "./document-diff.ts";

/** Markdown-ish text: headings, paragraphs, list items (some nested), fences, quotes, blank lines, CRLF. */
const word = fc.constantFrom(
  "agent",
  "keystrokes",
  "clicks",
  "**not**",
  "_data_",
  "[link](https://example.com)",
  "`code`",
  "pause",
  "90",
  "days",
  "you",
  "may",
  "<b>raw</b>",
);
const sentence = fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => w.join(" "));
const block = fc.oneof(
  sentence.map((s) => `${s}.`),
  sentence.map((s) => `## ${s}`),
  sentence.map((s) => `- ${s}`),
  sentence.map((s) => `1. ${s}`),
  sentence.map((s) => `  - ${s}`),
  sentence.map((s) => `> ${s}`),
  sentence.map((s) => `\`\`\`\n${s}\n\n${s}\n\`\`\``),
  sentence.map((s) => `${s}\n${s}`),
);
const separator = fc.constantFrom("\n", "\n\n", "\n\n\n", "\r\n\r\n");
const markdown = fc
  .array(fc.tuple(block, separator), { maxLength: 12 })
  .map((parts) => parts.map(([b, s]) => b + s).join(""));

/** A document and an edited copy: blocks deleted, inserted and reworded. */
const documentPair = fc
  .record({
    base: fc.array(block, { minLength: 1, maxLength: 12 }),
    ops: fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom("delete", "insert", "reword"),
        block,
        word,
      }),
      { maxLength: 5 },
    ),
  })
  .map(({ base, ops }) => {
    const after = [...base];
    for (const { at, op, block: b, word: w } of ops) {
      const i = at % (after.length + 1);
      if (op === "insert") after.splice(i, 0, b);
      else if (after.length === 0) continue;
      else if (op === "delete") after.splice(i % after.length, 1);
      else after[i % after.length] = `${after[i % after.length]} ${w}`;
    }
    return { before: base.join("\n\n"), after: after.join("\n\n") };
  });

const kinds = (blocks: BlockChange[]) => blocks.map((b) => b.kind);

describe("splitBlocks", () => {
  test("property: the blocks rebuild the text exactly, whatever it is", () => {
    fc.assert(
      fc.property(fc.oneof(markdown, fc.string({ unit: "grapheme-ascii" })), (text) => {
        const blocks = splitBlocks(text);
        expect(blocks.join("")).toBe(text);
        expect(blocks.every((b) => b.length > 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("a heading, each list item with its nested list and paragraphs, a fence with blank lines, a quote", () => {
    const blocks = [
      "Intro\nsecond line\n\n",
      "## Heading\n",
      "Text right after the heading\n\n",
      "- one\n\n",
      "- two\n  - nested\n\n  two's second paragraph\n",
      "- three\n\n",
      "```\ncode\n\nmore code\n```\n\n",
      "> a quote\n> goes on",
    ];
    expect(splitBlocks(blocks.join(""))).toEqual(blocks);
    expect(splitBlocks("\n\nText\r\n\r\n1. one\r\n2. two\r\n")).toEqual([
      "\n\nText\r\n\r\n",
      "1. one\r\n",
      "2. two\r\n",
    ]);
  });
});

describe("diffDocuments", () => {
  test("property: same, removed and changed blocks rebuild the old text; same, added and changed the new", () => {
    fc.assert(
      fc.property(documentPair, ({ before, after }) => {
        const changes = diffDocuments({ title: "T", body: before }, { title: "T", body: after });
        expect(changes).not.toBeNull();
        expect(sideOf(changes!.blocks, "before")).toBe(before);
        expect(sideOf(changes!.blocks, "after")).toBe(after);
      }),
      { numRuns: 300 },
    );
  });

  test("property: the same holds for any two texts, when they are not a rewrite", () => {
    fc.assert(
      fc.property(markdown, markdown, (before, after) => {
        const changes = diffDocuments({ title: "T", body: before }, { title: "T", body: after });
        if (changes === null) return;
        expect(sideOf(changes.blocks, "before")).toBe(before);
        expect(sideOf(changes.blocks, "after")).toBe(after);
      }),
      { numRuns: 300 },
    );
  });

  test("property: a document compared with itself has only unchanged blocks", () => {
    fc.assert(
      fc.property(markdown, (text) => {
        const changes = diffDocuments({ title: "T", body: text }, { title: "T", body: text })!;
        expect(changes.title).toBeNull();
        expect(changes.blocks.every((b) => b.kind === "same")).toBe(true);
      }),
    );
  });

  test("a reworded paragraph is one changed block; an appended section is added; a dropped item removed", () => {
    const before = "# Notice\n\nThe agent collects clicks.\n\n- keystrokes\n- screenshots\n- apps";
    const after =
      "# Notice\n\nThe agent collects clicks and scrolling.\n\n- keystrokes\n- apps\n\n## New\n\nA new section.";
    const changes = diffDocuments({ title: "T", body: before }, { title: "T", body: after })!;
    expect(kinds(changes.blocks)).toEqual([
      "same",
      "changed",
      "same",
      "removed",
      "same",
      "added",
      "added",
    ]);
    expect(changes.blocks[1]).toEqual({
      kind: "changed",
      before: "The agent collects clicks.\n\n",
      after: "The agent collects clicks and scrolling.\n\n",
    });
    expect(changes.blocks[3]).toEqual({ kind: "removed", before: "- screenshots\n" });
  });

  test("a paragraph replaced by a different one is removed and added, not changed", () => {
    const changes = diffDocuments(
      { title: "T", body: "Intro.\n\nWe keep data for ninety days." },
      { title: "T", body: "Intro.\n\nManagers never see individual records." },
    )!;
    expect(kinds(changes.blocks)).toEqual(["same", "removed", "added"]);
  });

  test("a heading reworded keeping a word is one changed heading; with no word kept, removed and added", () => {
    const reworded = diffDocuments(
      { title: "T", body: "## Why\n\nBody." },
      { title: "T", body: "## Why we collect it\n\nBody." },
    )!;
    expect(kinds(reworded.blocks)).toEqual(["changed", "same"]);
    const replaced = diffDocuments(
      { title: "T", body: "## Why\n\nBody." },
      { title: "T", body: "## Purpose\n\nBody." },
    )!;
    expect(kinds(replaced.blocks)).toEqual(["removed", "added", "same"]);
  });

  test("a heading does not pair with a paragraph, nor with a heading of another level", () => {
    const changes = diffDocuments(
      { title: "T", body: "## Why we collect\n\nBody." },
      { title: "T", body: "### Why we collect\n\nBody." },
    )!;
    expect(kinds(changes.blocks)).toEqual(["removed", "added", "same"]);
  });

  test("a changed title is reported; line endings alone are not a change", () => {
    const changes = diffDocuments(
      { title: "Notice", body: "One.\n\nTwo.\n" },
      { title: "Notice of monitoring", body: "One.\r\n\r\nTwo.\r\n" },
    )!;
    expect(changes.title).toEqual({ before: "Notice", after: "Notice of monitoring" });
    expect(kinds(changes.blocks)).toEqual(["same", "same"]);
  });

  test("a rewrite of a long document is reported as such instead of change by change", () => {
    const words = (seed: string) =>
      Array.from({ length: 6_000 }, (_, i) => `${seed}${(i * 7919) % 6_007}`).join(" ");
    const paragraphs = (seed: string) =>
      Array.from({ length: 600 }, (_, i) =>
        Array.from({ length: 10 }, (_, k) => `${seed}${(i * 31 + k * 7919) % 6_007}`).join(" "),
      ).join("\n\n");
    // One long paragraph rewritten, and many paragraphs rewritten.
    expect(diffDocuments({ title: "T", body: words("a") }, { title: "T", body: words("b") })).toBe(
      null,
    );
    expect(
      diffDocuments({ title: "T", body: paragraphs("a") }, { title: "T", body: paragraphs("b") }),
    ).toBe(null);
    // A small change in the same long document is still shown.
    const long = paragraphs("a");
    const edited = diffDocuments(
      { title: "T", body: long },
      { title: "T", body: `${long}\n\nAnd one more sentence.` },
    )!;
    expect(edited.blocks.filter((b) => b.kind !== "same")).toEqual([
      { kind: "added", after: "And one more sentence." },
    ]);
  });
});

describe("diffTokens", () => {
  test("property: same and removed tokens rebuild the old sequence; same and added the new", () => {
    const tokens = fc.array(fc.constantFrom("<p>", "</p>", "a", "b", " ", "c", "<em>", "</em>"), {
      maxLength: 30,
    });
    fc.assert(
      fc.property(tokens, tokens, (before, after) => {
        const parts = diffTokens(before, after)!;
        const side = (skip: string) =>
          parts.filter((p) => p.kind !== skip).flatMap((p) => p.tokens);
        expect(side("added")).toEqual(before);
        expect(side("removed")).toEqual(after);
      }),
    );
  });
});
