/**
 * An incremental parser for Server-Sent Events (the `text/event-stream`
 * format of the HTML standard, "Interpreting an event stream"). Feed it text
 * as it arrives, split anywhere, even between a CR and its LF; it returns the
 * complete messages and comments seen so far.
 */

export type SseMessage = {
  /** The `event:` field, or "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The last `id:` seen on the stream so far (the one to send as Last-Event-ID). */
  lastEventId: string;
};

export type SseItem =
  | { kind: "message"; message: SseMessage }
  /** A line starting with ":", used by servers as a heartbeat. */
  | { kind: "comment"; text: string }
  /** A `retry:` field: the server's suggested reconnection delay. */
  | { kind: "retry"; ms: number };

const LINE_END = /\r\n|\r|\n/g;

export class SseParser {
  /** The unfinished line carried over from earlier chunks (never holds a line end). */
  private partialLine = "";
  /** The previous chunk ended with CR: an LF opening the next chunk belongs to it. */
  private skipLeadingLf = false;
  private atStreamStart = true;
  private dataLines: string[] = [];
  private eventType = "";
  private lastEventIdBuffer: string;
  private committedLastEventId: string;

  constructor(initialLastEventId = "") {
    this.lastEventIdBuffer = initialLastEventId;
    this.committedLastEventId = initialLastEventId;
  }

  /** The id to send as Last-Event-ID when reconnecting. */
  get lastEventId(): string {
    return this.committedLastEventId;
  }

  push(chunk: string): SseItem[] {
    const items: SseItem[] = [];
    let text = chunk;
    if (text.length === 0) return items;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    if (this.atStreamStart && text.length > 0) {
      this.atStreamStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }

    let start = 0;
    let carried = this.partialLine;
    this.partialLine = "";
    LINE_END.lastIndex = 0;
    for (let match = LINE_END.exec(text); match; match = LINE_END.exec(text)) {
      this.processLine(carried + text.slice(start, match.index), items);
      carried = "";
      start = match.index + match[0].length;
      if (match[0] === "\r" && start === text.length) this.skipLeadingLf = true;
    }
    this.partialLine = carried + text.slice(start);
    return items;
  }

  private processLine(line: string, items: SseItem[]): void {
    if (line === "") return this.dispatch(items);
    if (line.startsWith(":")) {
      items.push({ kind: "comment", text: line.slice(1).replace(/^ /, "") });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.dataLines.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventIdBuffer = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) items.push({ kind: "retry", ms: Number(value) });
        break;
      default:
        // Unknown fields are ignored, as the standard requires.
        break;
    }
  }

  private dispatch(items: SseItem[]): void {
    this.committedLastEventId = this.lastEventIdBuffer;
    if (this.dataLines.length === 0) {
      this.eventType = "";
      return;
    }
    items.push({
      kind: "message",
      message: {
        event: this.eventType || "message",
        data: this.dataLines.join("\n"),
        lastEventId: this.committedLastEventId,
      },
    });
    this.dataLines = [];
    this.eventType = "";
  }
}
