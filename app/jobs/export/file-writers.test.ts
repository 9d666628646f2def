import { describe, expect, test } from "vitest";
import { parseCsv } from "#app/domain/csv.ts";
import {
  CsvWriter,
  type FileSink,
  NdjsonWriter,
  writeCsv,
  writeJson,
  writeText,
} from "./file-writers.ts";

/** A sink that keeps what it is given: the text, the rows counted, and whether it was closed. */
function memorySink(name = "file") {
  const seen = { text: "", rows: 0, writes: 0, closed: false };
  const sink: FileSink = {
    async write(text, rows) {
      seen.text += text;
      seen.rows += rows;
      seen.writes++;
    },
    async close() {
      seen.closed = true;
      return { name, rows: seen.rows, bytes: Buffer.byteLength(seen.text), sha256: "" };
    },
  };
  return { sink, seen };
}

describe("the export's file writers", () => {
  test("a JSON list is indented by two spaces, ends in a newline and counts one row per element", async () => {
    const { sink, seen } = memorySink();
    const file = await writeJson(sink, [{ a: 1 }, { b: null }]);
    expect(seen.text).toBe('[\n  {\n    "a": 1\n  },\n  {\n    "b": null\n  }\n]\n');
    expect(file.rows).toBe(2);
    expect(seen.closed).toBe(true);
  });

  test("a single JSON object (the manifest) counts no rows", async () => {
    const { sink } = memorySink();
    expect((await writeJson(sink, { files: [] })).rows).toBe(0);
  });

  test("a CSV file is its header, then its records, read back as written; the header is no row", async () => {
    const { sink, seen } = memorySink();
    const file = await writeCsv(
      sink,
      ["id", "app"],
      [
        [1, 'Spreadsheet, "Q4"'],
        [2, null],
      ],
    );
    expect(seen.text).toBe('id,app\r\n1,"Spreadsheet, ""Q4"""\r\n2,\r\n');
    expect(file.rows).toBe(2);
    const parsed = parseCsv(seen.text);
    expect(parsed.ok && parsed.records.map((r) => r.fields)).toEqual([
      ["id", "app"],
      ["1", 'Spreadsheet, "Q4"'],
      ["2", ""],
    ]);
  });

  test("a CSV writer takes records in batches and lines already formatted", async () => {
    const { sink, seen } = memorySink();
    const csv = await CsvWriter.open(sink, ["n"]);
    await csv.records([[1], [2]]);
    await csv.formattedLines("3\r\n4\r\n5\r\n", 3);
    expect((await csv.close()).rows).toBe(5);
    expect(seen.text).toBe("n\r\n1\r\n2\r\n3\r\n4\r\n5\r\n");
  });

  test("records from a lazy cursor are written a batch at a time, the last batch possibly short", async () => {
    const { sink, seen } = memorySink();
    const csv = await CsvWriter.open(sink, ["n"]);
    function* cursor() {
      for (let n = 1; n <= 5; n++) yield [n];
    }
    await csv.records(cursor(), 2);
    expect(seen.writes).toBe(1 + 3); // the header, then 2 + 2 + 1 records
    expect((await csv.close()).rows).toBe(5);
    expect(seen.text).toBe("n\r\n1\r\n2\r\n3\r\n4\r\n5\r\n");
  });

  test("records from an asynchronous cursor (pages read one at a time) are batched the same way", async () => {
    const { sink, seen } = memorySink();
    const csv = await CsvWriter.open(sink, ["n"]);
    async function* pages() {
      for (let n = 1; n <= 5; n++) yield [n];
    }
    await csv.records(pages(), 2);
    expect(seen.writes).toBe(1 + 3);
    expect((await csv.close()).rows).toBe(5);
    expect(seen.text).toBe("n\r\n1\r\n2\r\n3\r\n4\r\n5\r\n");
  });

  test("an NDJSON file passes its lines through and counts them", async () => {
    const { sink, seen } = memorySink();
    const ndjson = new NdjsonWriter(sink);
    await ndjson.formattedLines('{"id":1}\n{"id":2}\n', 2);
    expect((await ndjson.close()).rows).toBe(2);
    expect(seen.text).toBe('{"id":1}\n{"id":2}\n');
  });

  test("a text file counts no rows", async () => {
    const { sink, seen } = memorySink();
    expect((await writeText(sink, "Read me\n")).rows).toBe(0);
    expect(seen.text).toBe("Read me\n");
  });
});
