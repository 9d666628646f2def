/**
 * LIKE patterns built from what someone typed into a search box. `%` and `_`
 * are LIKE's wildcards, so a search for "100%" or "a_b" would otherwise match
 * far more than it says; here they (and the escape character itself) are
 * taken literally. Every statement using these patterns writes
 * `LIKE ? ESCAPE '\'`.
 */
export const LIKE_ESCAPE_CLAUSE = "ESCAPE '\\'";

/** `text` with LIKE's wildcards and the escape character escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern matching `text` anywhere, with its wildcards taken literally. */
export function likeContains(text: string): string {
  return `%${escapeLike(text)}%`;
}
