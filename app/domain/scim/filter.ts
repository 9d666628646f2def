/**
 * SCIM list filters (RFC 7644 §3.4.2.2), parsed by `scim2-parse-filter` and
 * checked here against the attributes Lull can search by, into a small
 * condition tree the models turn into SQL. An attribute or operator Lull
 * cannot search by is a 400 `invalidFilter`, never a guess (ADR 0040).
 */
import { parse, type Filter } from "scim2-parse-filter";
import type { Refused } from "../refusal.ts";
import type { ResourceKind } from "./attributes.ts";
import { SCIM, scimRefusal } from "./protocol.ts";

export type Comparison = "eq" | "co" | "sw" | "ew";

export type Condition =
  | { kind: "and" | "or"; of: Condition[] }
  | { kind: "not"; of: Condition }
  | { kind: "compare"; attribute: string; op: Comparison; value: string | boolean }
  | { kind: "present"; attribute: string };

type Searchable = {
  name: string;
  type: "string" | "boolean";
  ops: readonly string[];
  /** Values are compared lower-cased (the column holds lower case). */
  lowerCase?: boolean;
};

const STRING_MATCHES = ["eq", "ne", "co", "sw", "ew", "pr"] as const;
const EXACT = ["eq", "ne", "pr"] as const;

const SEARCHABLE: Record<ResourceKind, Searchable[]> = {
  User: [
    { name: "userName", type: "string", ops: STRING_MATCHES, lowerCase: true },
    { name: "emails.value", type: "string", ops: STRING_MATCHES, lowerCase: true },
    { name: "id", type: "string", ops: EXACT },
    { name: "externalId", type: "string", ops: EXACT },
    { name: "displayName", type: "string", ops: EXACT },
    { name: "active", type: "boolean", ops: EXACT },
  ],
  Group: [
    { name: "displayName", type: "string", ops: EXACT },
    { name: "id", type: "string", ops: EXACT },
    { name: "externalId", type: "string", ops: EXACT },
    { name: "members.value", type: "string", ops: ["eq", "ne"] },
  ],
};

/** Longest filter text, deepest nesting and most comparisons accepted. */
const MAX_FILTER_LENGTH = 2000;
const MAX_DEPTH = 8;
const MAX_COMPARISONS = 50;

export function searchableAttributes(kind: ResourceKind): string[] {
  return SEARCHABLE[kind].map((a) => a.name);
}

class FilterRefusal extends Error {}

function attributeOf(kind: ResourceKind, path: string): Searchable {
  let name = path;
  const core = kind === "User" ? SCIM.user : SCIM.group;
  if (name.toLowerCase().startsWith(`${core.toLowerCase()}:`)) name = name.slice(core.length + 1);
  // `emails` alone means its value (RFC 7644 §3.4.2.2: a complex attribute's "value").
  const lower = name.toLowerCase();
  const found = SEARCHABLE[kind].find(
    (a) => a.name.toLowerCase() === lower || a.name.toLowerCase() === `${lower}.value`,
  );
  if (!found) {
    throw new FilterRefusal(
      `Lull cannot filter ${kind}s by "${path}": use ${searchableAttributes(kind).join(", ")}.`,
    );
  }
  return found;
}

function convert(
  kind: ResourceKind,
  filter: Filter,
  depth: number,
  count: { n: number },
  prefix = "",
): Condition {
  if (depth > MAX_DEPTH) throw new FilterRefusal("The filter is nested too deeply.");
  switch (filter.op) {
    case "and":
    case "or":
      return {
        kind: filter.op,
        of: filter.filters.map((f) => convert(kind, f, depth + 1, count, prefix)),
      };
    case "not":
      return { kind: "not", of: convert(kind, filter.filter, depth + 1, count, prefix) };
    case "[]":
      if (prefix) throw new FilterRefusal("A value filter cannot hold another.");
      return convert(kind, filter.valFilter, depth + 1, count, `${filter.attrPath}.`);
    default: {
      if (++count.n > MAX_COMPARISONS) throw new FilterRefusal("The filter has too many terms.");
      const attribute = attributeOf(kind, `${prefix}${filter.attrPath}`);
      if (!attribute.ops.includes(filter.op)) {
        throw new FilterRefusal(
          `Lull cannot filter by ${attribute.name} with "${filter.op}": use ${attribute.ops.join(", ")}.`,
        );
      }
      if (filter.op === "pr") return { kind: "present", attribute: attribute.name };
      const value = (filter as { compValue: unknown }).compValue;
      if (typeof value !== attribute.type) {
        throw new FilterRefusal(
          `${attribute.name} is compared with a ${attribute.type === "boolean" ? "true or false" : "quoted string"}.`,
        );
      }
      const compared =
        typeof value === "string" && attribute.lowerCase ? value.toLowerCase() : value;
      const op = filter.op === "ne" ? "eq" : (filter.op as Comparison);
      const condition: Condition = {
        kind: "compare",
        attribute: attribute.name,
        op,
        value: compared as string | boolean,
      };
      return filter.op === "ne" ? { kind: "not", of: condition } : condition;
    }
  }
}

/** A filter's conditions, or a refusal `invalid_filter` saying what is wrong. */
export function parseScimFilter(
  kind: ResourceKind,
  text: string,
): { ok: true; condition: Condition } | Refused {
  if (text.length > MAX_FILTER_LENGTH) {
    return scimRefusal(
      "invalid_filter",
      `A filter may be at most ${MAX_FILTER_LENGTH} characters.`,
    );
  }
  let ast: Filter;
  try {
    ast = parse(text);
  } catch (error) {
    return scimRefusal(
      "invalid_filter",
      `The filter is not valid SCIM filter syntax (${error instanceof Error ? error.message : "parse error"}).`,
    );
  }
  try {
    return { ok: true, condition: convert(kind, ast, 0, { n: 0 }) };
  } catch (error) {
    if (error instanceof FilterRefusal) return scimRefusal("invalid_filter", error.message);
    if (error instanceof RangeError)
      return scimRefusal("invalid_filter", "The filter is too complex.");
    throw error;
  }
}
