import { Marked, type Tokens } from "marked";

/**
 * Policy documents are Markdown written by admins, rendered on the server.
 * Raw HTML in the source is shown as text, never as markup, and links may
 * only point to http(s), mailto or in-page/relative addresses, so a document
 * can never run script in a worker's browser (the CSP would refuse it too).
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const SAFE_HREF = /^(https?:\/\/|mailto:|#|\/(?!\/))/i;

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(
      this: { parser: { parseInline: (t: Tokens.Link["tokens"]) => string } },
      token: Tokens.Link,
    ) {
      const text = this.parser.parseInline(token.tokens);
      if (!SAFE_HREF.test(token.href)) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${escapeHtml(token.href)}"${title}>${text}</a>`;
    },
    image(token: Tokens.Image) {
      return escapeHtml(token.text);
    },
  },
});

/**
 * The document as HTML. A source the parser cannot follow (quotes or lists
 * nested thousands of levels deep exhaust its stack, and it throws) is shown
 * as the text it is, paragraph by paragraph, rather than failing the page:
 * every word still reaches the reader, and the admin's preview shows the same.
 */
export function renderMarkdown(source: string): string {
  try {
    return marked.parse(source) as string;
  } catch {
    return source
      .split(/\n{2,}/)
      .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, "<br>")}</p>`)
      .join("\n");
  }
}
