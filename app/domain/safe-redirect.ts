/**
 * Where to send someone back to after a form (sign-in's `redirectTo`, the
 * pause forms' `returnTo`): only a path on this site (ADR 0017).
 *
 * The target is resolved against a stand-in for our own origin exactly as a
 * browser resolves a `Location` header (backslashes read as slashes, tabs and
 * newlines dropped, dot segments removed), and accepted only when the result
 * is on that origin and its path cannot itself be read as a host: it is "/"
 * or "/" followed by something other than "/" or "\". What comes back is the
 * resolved, serialised path + query + fragment, never the raw input, so what
 * we checked is what the browser gets (`/.//evil` resolves to `//evil`,
 * which is refused). Everything else falls back to the default.
 */
const OWN_ORIGIN = "http://lull.invalid";

/** "/" alone, or "/" and a character a browser cannot read as the start of a host. */
const SINGLE_SLASH_PATH = /^\/(?:$|[^/\\])/;

export function safeRedirect(to: unknown, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/")) return fallback;
  let resolved: URL;
  try {
    resolved = new URL(to, OWN_ORIGIN);
  } catch {
    return fallback;
  }
  if (resolved.origin !== OWN_ORIGIN) return fallback;
  const target = resolved.pathname + resolved.search + resolved.hash;
  return SINGLE_SLASH_PATH.test(target) ? target : fallback;
}
