import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { csvField, csvQuoted, csvRow } from "#app/domain/csv.ts";
import { sqliteCsvField, sqliteCsvQuoted, sqliteCsvRow } from "./sqlite-csv.ts";

// An in-memory database: SQLite only evaluates the expressions, no app data is involved.
const db = new Database(":memory:");
afterAll(() => db.close());

const text = fc.string({
  unit: fc.constantFrom(
    "a",
    "Z",
    ",",
    '"',
    "\n",
    "\r",
    " ",
    "é",
    "'",
    "{",
    "}",
    "=",
    "+",
    "-",
    "@",
    "\t",
  ),
  maxLength: 12,
});

describe("the events' CSV, formatted by SQLite", () => {
  test("property: sqliteCsvField writes exactly what csvField writes", () => {
    const field = db.prepare(`SELECT ${sqliteCsvField("v")} FROM (SELECT ? AS v)`).pluck();
    fc.assert(
      fc.property(text, (value) => {
        expect(field.get(value)).toBe(csvField(value));
      }),
    );
  });

  test("an app named like a formula is written as text, as csvField writes it", () => {
    const field = db.prepare(`SELECT ${sqliteCsvField("v")} FROM (SELECT ? AS v)`).pluck();
    expect(field.get('=HYPERLINK("http://evil.example","x")')).toBe(
      `"'=HYPERLINK(""http://evil.example"",""x"")"`,
    );
    expect(field.get("+cmd|' /C calc'!A0")).toBe(`"'+cmd|' /C calc'!A0"`);
    expect(field.get("Visual Studio Code")).toBe("Visual Studio Code");
  });

  test("property: sqliteCsvQuoted writes exactly what csvQuoted writes", () => {
    const quoted = db.prepare(`SELECT ${sqliteCsvQuoted("v")} FROM (SELECT ? AS v)`).pluck();
    fc.assert(
      fc.property(text, (value) => {
        expect(quoted.get(value)).toBe(csvQuoted(value));
      }),
    );
  });

  test("property: a row of those fields is csvRow's record, CRLF-terminated", () => {
    const row = db
      .prepare(
        `SELECT ${sqliteCsvRow(["a", sqliteCsvField("b"), sqliteCsvField("c")])}
         FROM (SELECT ? AS a, ? AS b, ? AS c)`,
      )
      .pluck();
    // The bare field: what the events pass unwrapped (ids, ISO times, the type), which never
    // begins like a formula.
    const bare = fc.stringMatching(/^([0-9A-Za-z][0-9A-Za-z:.+-]{0,9})?$/);
    fc.assert(
      fc.property(bare, text, text, (a, b, c) => {
        expect(row.get(a, b, c)).toBe(csvRow([a, b, c]));
      }),
    );
  });
});
