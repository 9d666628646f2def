import { Marked, type Tokens } from "marked";

/**
 * Policy documents are Markdown written by admins, rendered on the server.
 * Raw HTML in the source is shown as text, never as markup, and links may
 * only point to http(s), mailto or in-page/relative addresses, so a document
 * can never run script in a worker's browser (the CSP would refuse it too).
 */
function escapeHtml(text: string): string {
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

export function renderMarkdown(source: string): string {
  return marked.parse(source) as string;
}
