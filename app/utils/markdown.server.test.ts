import { describe, expect, test } from "vitest";
import { renderMarkdown } from "./markdown.server.ts";

describe("renderMarkdown", () => {
  test("renders headings, lists and links", () => {
    const html = renderMarkdown(
      "# Notice\n\n- keystrokes\n- clicks\n\n[Contact](mailto:privacy@example.com)",
    );
    expect(html).toContain("<h1>Notice</h1>");
    expect(html).toContain("<li>keystrokes</li>");
    expect(html).toContain('<a href="mailto:privacy@example.com">Contact</a>');
  });

  test("raw HTML and script links come out as text", () => {
    const html = renderMarkdown(
      "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    );
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("javascript:");
    expect(html).toContain("&lt;script&gt;");
  });

  test("a source nested deeper than the parser can follow comes out as its text, escaped", () => {
    const html = renderMarkdown(`${">".repeat(5_000)} <b>deep</b>\n\nNext paragraph.`);
    expect(html).toContain("&lt;b&gt;deep&lt;/b&gt;");
    expect(html).toContain("<p>Next paragraph.</p>");
    expect(html).not.toContain("<b>");
  });
});
