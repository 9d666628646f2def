import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SseParser, type SseItem, type SseMessage } from "./sse-parser.ts";

function parseAll(chunks: string[], initialId = ""): { items: SseItem[]; lastEventId: string } {
  const parser = new SseParser(initialId);
  const items = chunks.flatMap((chunk) => parser.push(chunk));
  return { items, lastEventId: parser.lastEventId };
}

function messages(items: SseItem[]): SseMessage[] {
  return items.flatMap((item) => (item.kind === "message" ? [item.message] : []));
}

describe("SSE parser", () => {
  test("reads event, id and data; the id becomes the Last-Event-ID", () => {
    const { items, lastEventId } = parseAll([
      'event: state\nid: 12\ndata: {"stateVersion":"12"}\n\n',
    ]);
    expect(items).toEqual([
      {
        kind: "message",
        message: { event: "state", data: '{"stateVersion":"12"}', lastEventId: "12" },
      },
    ]);
    expect(lastEventId).toBe("12");
  });

  test("joins multi-line data with newlines and defaults the type to message", () => {
    expect(messages(parseAll(["data: one\ndata:two\ndata\n\n"]).items)).toEqual([
      { event: "message", data: "one\ntwo\n", lastEventId: "" },
    ]);
  });

  test("reports comments (heartbeats) and ignores unknown fields", () => {
    const { items } = parseAll([": heartbeat\n\nfoo: bar\n:\n\n"]);
    expect(items).toEqual([
      { kind: "comment", text: "heartbeat" },
      { kind: "comment", text: "" },
    ]);
  });

  test("a block without data dispatches nothing but still commits its id", () => {
    const { items, lastEventId } = parseAll(["id: 7\nevent: state\n\n"], "3");
    expect(items).toEqual([]);
    expect(lastEventId).toBe("7");
  });

  test("an unfinished event at the end of the stream is not dispatched", () => {
    const { items, lastEventId } = parseAll(["id: 9\ndata: half"], "8");
    expect(items).toEqual([]);
    expect(lastEventId).toBe("8");
  });

  test("accepts CR, LF and CRLF line ends, a CRLF split between chunks counts once", () => {
    expect(messages(parseAll(["data: a\r", "\n\r", "\ndata: b\r\r"]).items)).toEqual([
      { event: "message", data: "a", lastEventId: "" },
      { event: "message", data: "b", lastEventId: "" },
    ]);
  });

  test("strips a byte-order mark at the start and reads retry", () => {
    expect(parseAll(["\uFEFFretry: 2500\ndata: x\n\n"]).items).toEqual([
      { kind: "retry", ms: 2500 },
      { kind: "message", message: { event: "message", data: "x", lastEventId: "" } },
    ]);
  });

  test("ids holding NUL are ignored", () => {
    expect(parseAll(["id: a\0b\ndata: x\n\n"], "1").lastEventId).toBe("1");
  });

  // A line value: no CR or LF; may hold colons and leading spaces.
  const lineText = fc.string({
    unit: fc.constantFrom("a", "Z", "9", " ", ":", "{", '"', "é", "€", "😀"),
  });
  const lineEnd = fc.constantFrom("\n", "\r", "\r\n");
  const block = fc.record({
    event: fc.option(
      lineText.filter((s) => s !== "" && !s.startsWith(" ")),
      { nil: undefined },
    ),
    id: fc.option(lineText, { nil: undefined }),
    dataLines: fc.array(lineText, { minLength: 1, maxLength: 4 }),
    comment: fc.option(lineText, { nil: undefined }),
  });

  test("property: splitting the stream at arbitrary points never changes what is parsed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(block, lineEnd), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (blocks, cutSeeds) => {
          let stream = "";
          const expected: SseMessage[] = [];
          let lastId = "";
          for (const [b, end] of blocks) {
            if (b.comment !== undefined) stream += `:${b.comment}${end}`;
            if (b.event !== undefined) stream += `event: ${b.event}${end}`;
            if (b.id !== undefined) {
              stream += `id: ${b.id}${end}`;
              lastId = b.id;
            }
            for (const line of b.dataLines) stream += `data: ${line}${end}`;
            stream += end;
            expected.push({
              event: b.event ?? "message",
              data: b.dataLines.join("\n"),
              lastEventId: lastId,
            });
          }
          const cuts = [...new Set(cutSeeds.map((seed) => seed % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: string[] = [];
          let previous = 0;
          for (const cut of [...cuts, stream.length]) {
            chunks.push(stream.slice(previous, cut));
            previous = cut;
          }
          const whole = parseAll([stream]);
          const split = parseAll(chunks);
          expect(split).toEqual(whole);
          expect(messages(split.items)).toEqual(expected);
          expect(split.lastEventId).toBe(lastId);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("property: a UTF-8 byte stream decoded chunk by chunk parses like the whole", () => {
    fc.assert(
      fc.property(
        fc.array(lineText, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cutSeeds) => {
          const text = lines.map((line) => `data: ${line}\n\n`).join("");
          const bytes = new TextEncoder().encode(text);
          const cuts = [...new Set(cutSeeds.map((seed) => seed % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const decoder = new TextDecoder();
          const parser = new SseParser();
          const items: SseItem[] = [];
          let previous = 0;
          for (const cut of [...cuts, bytes.length]) {
            items.push(
              ...parser.push(decoder.decode(bytes.slice(previous, cut), { stream: true })),
            );
            previous = cut;
          }
          expect(messages(items).map((m) => m.data)).toEqual(lines);
        },
      ),
    );
  });
});
