/**
 * What changed between two versions of a policy document, as a person reads
 * it: block by block (headings, paragraphs, list items, code, quotes), so
 * each block can be rendered as formatted text, with a block whose words
 * changed paired with its old self for a word-level view. Pure: the Markdown
 * is split by its lines, never rendered here (app/utils/document-changes.server.ts
 * renders the blocks with the safe renderer).
 */
import { diffArrays, diffWordsWithSpace } from "diff";

/**
 * Beyond this many changed words a change-by-change view helps nobody, and
 * the diff's cost grows with the square of the edits (5,000 changed words
 * took ≈7 s of CPU per view with a word diff of the whole text): the page
 * says the document was rewritten instead.
 */
export const MAX_DIFF_EDITS = 1_500;

/**
 * Two blocks of the same kind count as one block changed (and are shown word
 * by word) when at least this share of their words is common to both
 * (2·common / (words before + words after)), or, for two headings of one
 * level, any word; otherwise the old one is shown removed and the new one added.
 */
export const CHANGED_BLOCK_SIMILARITY = 0.5;

/** How far ahead, in added blocks, a removed block looks for its new version. */
const PAIRING_WINDOW = 3;

/** A list item's marker, at any indentation (the indentation says whether it is nested). */
const LIST_ITEM = /^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]|$)/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

function withoutLineEnd(line: string): string {
  return line.replace(/\r?\n$/, "");
}

function isBlank(line: string): boolean {
  return /^[ \t]*$/.test(withoutLineEnd(line));
}

/** Columns of leading white space (a tab counts as four). */
function indentOf(line: string): number {
  const lead = /^[ \t]*/.exec(line)![0];
  return [...lead].reduce((n, c) => n + (c === "\t" ? 4 : 1), 0);
}

/**
 * The document's blocks, each with the blank lines that follow it (blank
 * lines at the very start belong to the first block), so that
 * `splitBlocks(text).join("") === text` for any text. A block is a heading
 * line, a list item (with its indented or lazy continuation and its nested
 * lists), a fenced code block, or a run of lines up to a blank line (a
 * paragraph, a quote, a table).
 */
export function splitBlocks(markdown: string): string[] {
  if (markdown === "") return [];
  const lines = markdown.split(/(?<=\n)/);
  const blocks: string[] = [];
  let current = "";
  let hasContent = false;
  let afterBlank = false;
  /** The indentation of the current block's list marker; null when it is not a list item. */
  let itemIndent = null as number | null;
  let heading = false;
  let fence = null as RegExp | null;

  const start = (line: string) => {
    if (hasContent) blocks.push(current);
    current = "";
    hasContent = true;
    afterBlank = false;
    itemIndent = LIST_ITEM.test(line) ? indentOf(line) : null;
    heading = ATX_HEADING.test(line);
    const open = FENCE_OPEN.exec(line);
    fence = open
      ? new RegExp(`^ {0,3}${open[1]![0] === "`" ? "`" : "~"}{${open[1]!.length},}[ \\t]*$`)
      : null;
  };

  for (const line of lines) {
    if (fence) {
      current += line;
      if (fence.test(withoutLineEnd(line))) fence = null;
      continue;
    }
    if (isBlank(line)) {
      current += line;
      if (hasContent) afterBlank = true;
      continue;
    }
    if (!hasContent) {
      // Blank lines at the very start stay with the first block.
      const leading = current;
      start(line);
      current = leading + line;
      continue;
    }
    let split: boolean;
    if (itemIndent !== null) {
      const indent = indentOf(line);
      if (indent >= itemIndent + 2)
        split = false; // nested, or the item's own paragraphs
      else if (LIST_ITEM.test(line))
        split = true; // the next item of the list
      else split = afterBlank || ATX_HEADING.test(line); // a lazy continuation line, or not
    } else {
      split = heading || afterBlank || ATX_HEADING.test(line) || FENCE_OPEN.test(line);
    }
    if (split) start(line);
    current += line;
    afterBlank = false;
  }
  if (hasContent || current !== "") blocks.push(current);
  return blocks;
}

/** What two blocks are compared by: their text, without line-ending style or blank lines around. */
export function blockKey(block: string): string {
  return block
    .replace(/\r\n?/g, "\n")
    .replace(/^(?:[ \t]*\n)+/, "")
    .trimEnd();
}

/** The kind of block, for pairing: a heading pairs only with a heading of its level, and so on. */
function blockKind(key: string): string {
  const heading = ATX_HEADING.exec(key);
  if (heading) return `h${heading[1]!.length}`;
  if (LIST_ITEM.test(key)) return "item";
  if (FENCE_OPEN.test(key)) return "code";
  return "text";
}

function wordsOf(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

function countWords(text: string): number {
  return wordsOf(text).length;
}

/** A cheap upper bound of the share of common words: the overlap of the two bags of words. */
function wordOverlap(a: string, b: string): number {
  const wordsA = wordsOf(a);
  const wordsB = wordsOf(b);
  if (wordsA.length + wordsB.length === 0) return 1;
  const bag = new Map<string, number>();
  for (const w of wordsA) bag.set(w, (bag.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of wordsB) {
    const n = bag.get(w) ?? 0;
    if (n > 0) {
      common += 1;
      bag.set(w, n - 1);
    }
  }
  return (2 * common) / (wordsA.length + wordsB.length);
}

/**
 * The words edited from `a` to `b` and the share of words common to both, or
 * null when that takes more than `maxEdits` word edits.
 */
function compareWords(
  a: string,
  b: string,
  maxEdits: number,
): { edits: number; similarity: number } | null {
  const parts = diffWordsWithSpace(a, b, { maxEditLength: Math.max(1, maxEdits) });
  if (!parts) return null;
  let edits = 0;
  let common = 0;
  for (const part of parts) {
    const n = countWords(part.value);
    if (part.added || part.removed) edits += n;
    else common += n;
  }
  const total = countWords(a) + countWords(b);
  return { edits, similarity: total === 0 ? 1 : (2 * common) / total };
}

export type BlockChange =
  | { kind: "same"; before: string; after: string }
  | { kind: "added"; after: string }
  | { kind: "removed"; before: string }
  | { kind: "changed"; before: string; after: string };

export type DocumentChanges = {
  /** The old and new title, when the title changed. */
  title: { before: string; after: string } | null;
  /**
   * Every block of both versions, in order: the `before` of same, removed
   * and changed blocks rebuilds the old body exactly; the `after` of same,
   * added and changed blocks the new one.
   */
  blocks: BlockChange[];
};

/** The body text one side of the changes rebuilds. */
export function sideOf(blocks: readonly BlockChange[], side: "before" | "after"): string {
  return blocks
    .map((b) => (side in b ? (b as Record<"before" | "after", string>)[side] : ""))
    .join("");
}

/**
 * Pairs each removed block with the first added block of its kind within
 * PAIRING_WINDOW after the last pair whose words are mostly the same, and
 * lists the region in an order both sides keep: unpaired removed, unpaired
 * added, then the pair.
 */
function pairRegion(
  removed: string[],
  added: string[],
  budget: { left: number },
): BlockChange[] | null {
  const out: BlockChange[] = [];
  let nextRemoved = 0;
  let nextAdded = 0;
  for (let r = 0; r < removed.length; r++) {
    const before = removed[r]!;
    const kind = blockKind(blockKey(before));
    for (let a = nextAdded; a < Math.min(added.length, nextAdded + PAIRING_WINDOW); a++) {
      const after = added[a]!;
      if (blockKind(blockKey(after)) !== kind) continue;
      // A heading is a few words: one word in common makes it the same heading, reworded.
      const enough = kind.startsWith("h") ? Number.EPSILON : CHANGED_BLOCK_SIMILARITY;
      if (wordOverlap(blockKey(before), blockKey(after)) < enough) continue;
      const compared = compareWords(blockKey(before), blockKey(after), budget.left);
      if (!compared || compared.similarity < enough) continue;
      for (const b of removed.slice(nextRemoved, r)) out.push({ kind: "removed", before: b });
      for (const b of added.slice(nextAdded, a)) out.push({ kind: "added", after: b });
      out.push({ kind: "changed", before, after });
      budget.left -= Math.max(1, compared.edits);
      if (budget.left < 0) return null;
      nextRemoved = r + 1;
      nextAdded = a + 1;
      break;
    }
  }
  for (const b of removed.slice(nextRemoved)) out.push({ kind: "removed", before: b });
  for (const b of added.slice(nextAdded)) out.push({ kind: "added", after: b });
  return out;
}

/**
 * The changes from one version of a document to the next, block by block;
 * null when more than MAX_DIFF_EDITS words changed (the document was
 * rewritten: the page shows it in full instead).
 */
export function diffDocuments(
  before: { title: string; body: string },
  after: { title: string; body: string },
  maxEdits = MAX_DIFF_EDITS,
): DocumentChanges | null {
  const budget = { left: maxEdits };
  let title: DocumentChanges["title"] = null;
  if (before.title !== after.title) {
    title = { before: before.title, after: after.title };
    budget.left -= Math.max(1, countWords(before.title) + countWords(after.title));
  }
  const oldBlocks = splitBlocks(before.body);
  const newBlocks = splitBlocks(after.body);
  const changes = diffArrays(oldBlocks.map(blockKey), newBlocks.map(blockKey), {
    maxEditLength: Math.max(1, budget.left),
  });
  if (!changes) return null;

  const blocks: BlockChange[] = [];
  let i = 0;
  let j = 0;
  let removed: string[] = [];
  let added: string[] = [];
  const flush = (): boolean => {
    if (removed.length === 0 && added.length === 0) return true;
    const region = pairRegion(removed, added, budget);
    if (!region) return false;
    for (const change of region) {
      if (change.kind === "removed") budget.left -= Math.max(1, countWords(change.before));
      if (change.kind === "added") budget.left -= Math.max(1, countWords(change.after));
    }
    blocks.push(...region);
    removed = [];
    added = [];
    return budget.left >= 0;
  };
  for (const change of changes) {
    if (change.removed) {
      removed.push(...oldBlocks.slice(i, i + change.count));
      i += change.count;
    } else if (change.added) {
      added.push(...newBlocks.slice(j, j + change.count));
      j += change.count;
    } else {
      if (!flush()) return null;
      for (let k = 0; k < change.count; k++) {
        blocks.push({ kind: "same", before: oldBlocks[i + k]!, after: newBlocks[j + k]! });
      }
      i += change.count;
      j += change.count;
    }
  }
  if (!flush()) return null;
  if (budget.left < 0) return null;
  return { title, blocks };
}

/** The changes rendered for the page (by app/utils/document-changes.server.ts). */
export type ChangePart =
  /** Unchanged text beside a change, shown for context. */
  | { kind: "context"; html: string }
  /** A longer unchanged stretch, folded (`count` blocks). */
  | { kind: "unchanged"; html: string; count: number }
  | { kind: "added"; html: string }
  | { kind: "removed"; html: string }
  /** One block, old and new merged: <del> and <ins> inside; `formattingOnly` when no word changed. */
  | { kind: "changed"; html: string; formattingOnly: boolean };

export type DocumentChangesView = {
  /** The title with its changes marked, when the title changed. */
  titleHtml: string | null;
  parts: ChangePart[];
  /** Whether any word, block or formatting changed (an identical republication has none). */
  anyChange: boolean;
};

export type TokenChange = { kind: "same" | "added" | "removed"; tokens: string[] };

/**
 * The difference between two token sequences (the words and tags of a
 * rendered block): the same and removed tokens rebuild `before`, the same
 * and added ones `after`; null beyond `maxEdits` token edits.
 */
export function diffTokens(
  before: readonly string[],
  after: readonly string[],
  maxEdits = MAX_DIFF_EDITS,
): TokenChange[] | null {
  const changes = diffArrays([...before], [...after], { maxEditLength: Math.max(1, maxEdits) });
  if (!changes) return null;
  return changes.map((c) => ({
    kind: c.added ? "added" : c.removed ? "removed" : "same",
    tokens: c.value,
  }));
}
