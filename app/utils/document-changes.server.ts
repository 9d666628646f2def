/**
 * "What changed since you signed", as formatted text: the blocks of
 * `diffDocuments` rendered by the one safe Markdown renderer
 * (markdown.server.ts), unchanged stretches folded, and a changed block
 * shown once with its removed words in <del> and its added words in <ins>.
 *
 * Safety: every tag and every piece of text in the output comes from
 * `renderMarkdown` (which escapes raw HTML and drops unsafe links), except
 * the <ins>, <del> and screen-reader <span> this module adds around runs of
 * text. The word-level marks never contain a tag, so the output is as well
 * formed as the renderer's.
 */
import {
  diffDocuments,
  diffTokens,
  MAX_DIFF_EDITS,
  type BlockChange,
  type ChangePart,
  type DocumentChanges,
  type DocumentChangesView,
} from "#app/domain/document-diff.ts";
import { escapeHtml, renderMarkdown } from "./markdown.server.ts";

/** `[label]: url` lines: rendered blocks keep the document's reference links working. */
function referenceDefinitions(body: string): string {
  const lines = body.split(/\r?\n/).filter((line) => /^ {0,3}\[[^\]\n]+\]:[ \t]*\S/.test(line));
  return lines.length > 0 ? `${lines.join("\n")}\n\n` : "";
}

function renderSlice(source: string, refs: string): string {
  return renderMarkdown(refs && source.includes("[") ? refs + source : source);
}

const TOKEN = /<[^>]*>|\s+|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);|[\p{L}\p{N}]+|[^<\s]/giu;

/** Rendered HTML as tags, runs of white space, words and single other characters. */
export function htmlTokens(html: string): string[] {
  return html.match(TOKEN) ?? [];
}

const isTag = (token: string) => token.startsWith("<");
const isSpace = (token: string) => /^\s+$/.test(token);

const OPEN = {
  added: '<ins><span class="sr-only">[added: </span>',
  removed: '<del><span class="sr-only">[removed: </span>',
} as const;
const CLOSE = {
  added: '<span class="sr-only">]</span></ins>',
  removed: '<span class="sr-only">]</span></del>',
} as const;

/**
 * The new rendering of a block with the words removed from the old one in
 * <del> and the words added in <ins>, at the place they were; the new
 * rendering's tags only (removed tags are dropped), so the result nests as
 * the new rendering does. Null beyond MAX_DIFF_EDITS token edits.
 */
export function markWordChanges(
  beforeHtml: string,
  afterHtml: string,
): { html: string; formattingOnly: boolean } | null {
  const changes = diffTokens(htmlTokens(beforeHtml), htmlTokens(afterHtml), MAX_DIFF_EDITS * 4);
  if (!changes) return null;
  let out = "";
  let open: "added" | "removed" | null = null;
  let wordChanged = false;
  const close = () => {
    if (open) out += CLOSE[open];
    open = null;
  };
  for (const { kind, tokens } of changes) {
    for (const token of tokens) {
      if (isTag(token) || (isSpace(token) && token.includes("\n"))) {
        // Structure: the new rendering's tags and line breaks, never inside a mark.
        if (kind === "removed") continue;
        close();
        out += token;
      } else if (kind === "same") {
        close();
        out += token;
      } else if (isSpace(token) && open !== kind) {
        // White space alone is not worth a mark: a removed space goes, an added one stays.
        close();
        if (kind === "added") out += token;
      } else {
        if (open !== kind) {
          close();
          out += OPEN[kind];
          open = kind;
        }
        wordChanged = true;
        out += token;
      }
    }
  }
  close();
  return { html: out, formattingOnly: !wordChanged };
}

/** A run of consecutive unchanged blocks, with one block of context next to each change. */
function unchangedParts(
  run: string[],
  refs: string,
  { changeBefore, changeAfter }: { changeBefore: boolean; changeAfter: boolean },
): ChangePart[] {
  const head = changeBefore ? 1 : 0;
  const tail = changeAfter ? 1 : 0;
  if (run.length <= head + tail + 1) {
    return [{ kind: "context", html: renderSlice(run.join(""), refs) }];
  }
  const parts: ChangePart[] = [];
  if (head) parts.push({ kind: "context", html: renderSlice(run[0]!, refs) });
  const middle = run.slice(head, run.length - tail);
  parts.push({ kind: "unchanged", count: middle.length, html: renderSlice(middle.join(""), refs) });
  if (tail) parts.push({ kind: "context", html: renderSlice(run[run.length - 1]!, refs) });
  return parts;
}

/**
 * The changes, rendered: consecutive blocks of one kind are rendered together
 * (they are one stretch of their document, so a list stays one list).
 */
export function renderDocumentChanges(
  changes: DocumentChanges,
  { before, after }: { before: { body: string }; after: { body: string } },
): DocumentChangesView {
  const refsBefore = referenceDefinitions(before.body);
  const refsAfter = referenceDefinitions(after.body);
  const parts: ChangePart[] = [];
  const blocks = changes.blocks;
  let anyChange = changes.title !== null;
  let k = 0;
  while (k < blocks.length) {
    const kind = blocks[k]!.kind;
    let end = k + 1;
    if (kind !== "changed") while (end < blocks.length && blocks[end]!.kind === kind) end++;
    const run = blocks.slice(k, end);
    if (kind === "same") {
      parts.push(
        ...unchangedParts(
          run.map((b) => (b as Extract<BlockChange, { kind: "same" }>).after),
          refsAfter,
          { changeBefore: k > 0, changeAfter: end < blocks.length },
        ),
      );
    } else if (kind === "added") {
      anyChange = true;
      const source = run.map((b) => (b as Extract<BlockChange, { kind: "added" }>).after).join("");
      parts.push({ kind: "added", html: renderSlice(source, refsAfter) });
    } else if (kind === "removed") {
      anyChange = true;
      const source = run
        .map((b) => (b as Extract<BlockChange, { kind: "removed" }>).before)
        .join("");
      parts.push({ kind: "removed", html: renderSlice(source, refsBefore) });
    } else {
      anyChange = true;
      const block = run[0] as Extract<BlockChange, { kind: "changed" }>;
      const oldHtml = renderSlice(block.before, refsBefore);
      const newHtml = renderSlice(block.after, refsAfter);
      const marked = markWordChanges(oldHtml, newHtml);
      if (marked) parts.push({ kind: "changed", ...marked });
      else parts.push({ kind: "removed", html: oldHtml }, { kind: "added", html: newHtml });
    }
    k = end;
  }
  const titleHtml = changes.title
    ? (markWordChanges(escapeHtml(changes.title.before), escapeHtml(changes.title.after))?.html ??
      `${OPEN.removed}${escapeHtml(changes.title.before)}${CLOSE.removed} ${OPEN.added}${escapeHtml(changes.title.after)}${CLOSE.added}`)
    : null;
  return { titleHtml, parts, anyChange };
}

/**
 * What changed from one version of a document to another, ready to show;
 * null when the new version rewrites too much to show change by change.
 */
export function documentChangesView(
  before: { title: string; body: string },
  after: { title: string; body: string },
): DocumentChangesView | null {
  const changes = diffDocuments(before, after);
  return changes ? renderDocumentChanges(changes, { before, after }) : null;
}
