import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { documentChangesView, htmlTokens, markWordChanges } from "./document-changes.server.ts";
import { renderMarkdown } from "./markdown.server.ts";

const VOID = new Set(["br", "hr", "img", "input"]);

/** Tags of `html` in order, with a check that they nest: throws on a stray or crossed end tag. */
function tagsNesting(html: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  for (const [, end, name] of html.matchAll(/<(\/?)([a-z0-9]+)[^>]*>/g)) {
    seen.push(`${end}${name}`);
    if (VOID.has(name!)) continue;
    if (end) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> in ${html}`);
    } else stack.push(name!);
  }
  if (stack.length > 0) throw new Error(`unclosed ${stack.join(", ")} in ${html}`);
  return seen;
}

function view(before: string, after: string, titles: [string, string] = ["T", "T"]) {
  return documentChangesView(
    { title: titles[0], body: before },
    { title: titles[1], body: after },
  )!;
}

describe("documentChangesView", () => {
  test("added passages are formatted text, not Markdown", () => {
    const v = view(
      "Intro.",
      "Intro.\n\n## Screenshots\n\nThe agent takes **no** screenshots:\n\n- not now\n- not ever",
    );
    const added = v.parts.filter((p) => p.kind === "added");
    expect(added).toHaveLength(1);
    expect(added[0]!.html).toContain("<h2>Screenshots</h2>");
    expect(added[0]!.html).toContain("<strong>no</strong>");
    expect(added[0]!.html).toMatch(/<ul>\s*<li>not now<\/li>\s*<li>not ever<\/li>\s*<\/ul>/);
    expect(added[0]!.html).not.toMatch(/\*\*|## /);
  });

  test("a reworded paragraph is shown once, removed words in <del> and added ones in <ins>, each named for screen readers", () => {
    const v = view(
      "The agent collects clicks, hourly.",
      "The agent collects clicks and keystrokes, hourly.",
    );
    expect(v.parts).toHaveLength(1);
    const [changed] = v.parts;
    expect(changed!.kind).toBe("changed");
    expect(changed!.html).toBe(
      '<p>The agent collects clicks <ins><span class="sr-only">[added: </span>and keystrokes<span class="sr-only">]</span></ins>, hourly.</p>\n',
    );
    const replaced = view("We keep it for ninety days.", "We keep it for thirty days.").parts[0]!;
    expect(replaced.html).toContain(
      '<del><span class="sr-only">[removed: </span>ninety<span class="sr-only">]</span></del>',
    );
    expect(replaced.html).toContain(
      '<ins><span class="sr-only">[added: </span>thirty<span class="sr-only">]</span></ins>',
    );
  });

  test("a list item changed inside a list is shown as a list item, and removed items as removed", () => {
    const v = view("- clicks\n- screenshots\n- apps\n", "- clicks\n- apps in front\n");
    const kinds = v.parts.map((p) => p.kind);
    expect(kinds).toEqual(["context", "removed", "changed"]);
    expect(v.parts[1]!.html).toMatch(/^<ul>\s*<li>screenshots<\/li>\s*<\/ul>/);
    expect(v.parts[2]!.html).toMatch(/^<ul>\s*<li>apps <ins>/);
  });

  test("long unchanged stretches are folded, with one passage of context beside each change", () => {
    const paragraphs = Array.from({ length: 8 }, (_, i) => `Paragraph ${i}.`);
    const after = [...paragraphs];
    after[4] = "Paragraph 4, changed.";
    const v = view(paragraphs.join("\n\n"), after.join("\n\n"));
    expect(v.parts.map((p) => (p.kind === "unchanged" ? `unchanged ${p.count}` : p.kind))).toEqual([
      "unchanged 3",
      "context",
      "changed",
      "context",
      "unchanged 2",
    ]);
  });

  test("formatting alone is a change, said as such; the title's change is marked", () => {
    const v = view("Do **not** share it.", "Do *not* share it.", [
      "Notice",
      "Notice of monitoring",
    ]);
    expect(v.parts).toEqual([
      { kind: "changed", html: "<p>Do <em>not</em> share it.</p>\n", formattingOnly: true },
    ]);
    expect(v.titleHtml).toBe(
      'Notice <ins><span class="sr-only">[added: </span>of monitoring<span class="sr-only">]</span></ins>',
    );
    expect(view("Same.", "Same.").anyChange).toBe(false);
  });

  test("a reference link still works in a block shown on its own", () => {
    const v = view(
      "See [the policy][p].\n\n[p]: https://example.com/policy",
      "See [the new policy][p].\n\n[p]: https://example.com/policy",
    );
    expect(v.parts[0]!.html).toContain('<a href="https://example.com/policy">');
  });

  test("raw HTML and script links in either version stay text, marked or not", () => {
    const v = view(
      "Hello <script>alert(1)</script> there.\n\n[x](javascript:alert(1))",
      'Hello <img src=x onerror=alert(1)> there.\n\n[y](javascript:alert(2)) and "<b>"',
      ["<i>Old</i>", "<svg onload=alert(1)>"],
    );
    const html = [v.titleHtml, ...v.parts.map((p) => p.html)].join("");
    expect(html).not.toMatch(/<(script|img|svg|b|i)[\s>]/);
    expect(html).not.toContain("javascript:");
    expect(html).toContain("img src=x onerror=");
  });

  test("property: marks wrap only text, the output nests, and every other tag is the new rendering's", () => {
    const piece = fc.constantFrom(
      "word",
      "other",
      "**bold**",
      "_em_",
      "`code`",
      "[a](https://a.example)",
      "<b>",
      "&",
      '"',
      "'",
      "\n",
      "\n\n",
      "- ",
      "# ",
      "> ",
      " ",
    );
    const text = fc.array(piece, { maxLength: 25 }).map((p) => p.join(""));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const beforeHtml = renderMarkdown(before);
        const afterHtml = renderMarkdown(after);
        const marked = markWordChanges(beforeHtml, afterHtml)!;
        const tags = tagsNesting(marked.html);
        const ours = /^\/?(ins|del|span)$/;
        expect(tags.filter((t) => !ours.test(t))).toEqual(tagsNesting(afterHtml));
        // Nothing but our screen-reader text inside a mark.
        for (const [, inner] of marked.html.matchAll(/<(?:ins|del)>(.*?)<\/(?:ins|del)>/gs)) {
          expect(inner!.replace(/<span class="sr-only">[^<]*<\/span>/g, "")).not.toContain("<");
        }
        // The text of the new version is all there, in order.
        const text = (html: string) =>
          htmlTokens(html.replace(/<span class="sr-only">[^<]*<\/span>|<del>.*?<\/del>/gs, ""))
            .filter((t) => !t.startsWith("<") && !/^\s+$/.test(t))
            .join(" ");
        expect(text(marked.html)).toBe(text(afterHtml));
      }),
      { numRuns: 300 },
    );
  });

  test("property: any two texts give a view whose every passage nests, or 'rewritten'", () => {
    const text = fc.string({
      unit: fc.constantFrom(
        "a",
        "b",
        " ",
        "\n",
        "\n\n",
        "#",
        "-",
        "*",
        "_",
        "`",
        ">",
        "1.",
        "[",
        "]",
        "(",
        ")",
        "<",
        "&",
        "|",
      ),
      maxLength: 80,
    });
    fc.assert(
      fc.property(text, text, fc.string({ maxLength: 10 }), (before, after, title) => {
        const v = documentChangesView({ title: "T", body: before }, { title, body: after });
        if (v === null) return;
        for (const html of [v.titleHtml ?? "", ...v.parts.map((p) => p.html)]) tagsNesting(html);
      }),
      { numRuns: 300 },
    );
  });
});
