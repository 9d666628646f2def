/**
 * The path the router will act on for a raw request path, for rules that
 * look at paths before the router does (the bearer-token exemption of the
 * origin check, ADR 0017).
 *
 * Remix builds the request's URL with the WHATWG URL parser, which removes
 * dot segments, including percent-encoded ones (`%2e%2e`), and reads
 * backslashes as slashes; its route matcher then decodes each segment. This
 * does the same. A path whose meaning depends on who parses it is ambiguous
 * and answered with null: encoded slashes or backslashes (`%2f`, `%5c`),
 * backslashes, whitespace or control characters (which URL parsers drop),
 * a query or fragment, malformed percent-encoding, or anything not starting
 * with a single "/".
 */
// eslint-disable-next-line no-control-regex
const AMBIGUOUS = /%2f|%5c|\\|[\u0000-\u0020\u007f?#]/i;

export function routedPath(rawPath: string): string | null {
  if (!rawPath.startsWith("/") || rawPath.startsWith("//") || AMBIGUOUS.test(rawPath)) return null;
  let pathname: string;
  try {
    pathname = new URL(`http://lull.invalid${rawPath}`).pathname;
  } catch {
    return null;
  }
  try {
    return pathname.split("/").map(decodeURIComponent).join("/");
  } catch {
    return null;
  }
}

/** Whether a raw request path is, once routed, at or under `prefix` (which ends in "/"). */
export function isRoutedUnder(rawPath: string, prefix: `/${string}/`): boolean {
  return routedPath(rawPath)?.startsWith(prefix) ?? false;
}
