/**
 * Private applications (ADR 0041): which application names a list of
 * patterns covers. One rule for the portal's ingestion, its screens and the
 * reference agent, so what an agent drops and what the server discards can
 * never disagree. Pure.
 *
 * A pattern is an application name, compared without regard to case and to
 * surrounding spaces; each `*` in it stands for any run of characters
 * (none included). "1Password" covers exactly "1password"; "*bank*" covers
 * "My Bank Online"; "Health*" covers "HealthPortal".
 */

/** The form a pattern is stored and compared in: trimmed, inner spaces kept, lower case. */
export function normalizePattern(pattern: string): string {
  return pattern.trim().replace(/\*+/g, "*").toLowerCase();
}

export function isWildcard(pattern: string): boolean {
  return pattern.includes("*");
}

/**
 * Whether `name` matches `pattern` (both normalized), `*` standing for any
 * run of characters. The two-pointer walk that goes back only to the last
 * star: O(pattern × name) at worst, whatever the input, unlike a regular
 * expression with several stars, which can backtrack for very long.
 */
export function globMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/**
 * A test for "is this application private?" built once for a list: exact
 * names in a set, wildcard patterns walked one by one, and each name's
 * answer remembered, so a long list costs a few short walks per distinct
 * application, not per event.
 */
export function privateAppMatcher(patterns: readonly string[]): (app: string) => boolean {
  const exact = new Set<string>();
  const wildcards: string[] = [];
  for (const raw of patterns) {
    const pattern = normalizePattern(raw);
    if (pattern === "") continue;
    if (isWildcard(pattern)) wildcards.push(pattern);
    else exact.add(pattern);
  }
  if (exact.size === 0 && wildcards.length === 0) return () => false;
  // A batch holds many events of few applications: each name is decided once (up to a bound,
  // so a stream of distinct names cannot grow the memory without limit).
  const decided = new Map<string, boolean>();
  return (app) => {
    const known = decided.get(app);
    if (known !== undefined) return known;
    const name = app.trim().toLowerCase();
    let result = exact.has(name);
    for (let i = 0; !result && i < wildcards.length; i++) result = globMatches(wildcards[i]!, name);
    if (decided.size < MEMO_LIMIT) decided.set(app, result);
    return result;
  };
}

/** Application names one matcher remembers its answer for. */
const MEMO_LIMIT = 4096;
