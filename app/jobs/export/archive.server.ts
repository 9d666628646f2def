/**
 * The export's ZIP (ADR 0011): entries streamed in order into a `.partial`
 * file with yazl, each hashed and counted as its bytes pass, for the manifest;
 * the archive itself is hashed and counted as it is written, so the file on
 * disk can be checked against it (ADR 0019).
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from "node:fs";
import { PassThrough } from "node:stream";
import yazl from "yazl";
import type { ManifestFile } from "#app/domain/records-export.ts";
import type { FileSink } from "./file-writers.ts";
import type { ExportProgress } from "./progress.server.ts";

/** Fast deflate: event files are text that compresses ~10× even at level 1, at 3× the speed of 6. */
const COMPRESSION_LEVEL = 1;
const entryOptions = () => ({
  mtime: new Date(),
  mode: 0o100644,
  compressionLevel: COMPRESSION_LEVEL,
});

/** Hashes and counts what a file holds, for its line in the manifest. */
class FileTally {
  private readonly hash = createHash("sha256");
  rows = 0;
  bytes = 0;

  add(chunk: Buffer, rows: number): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.rows += rows;
  }

  manifestFile(name: string): ManifestFile {
    return { name, rows: this.rows, bytes: this.bytes, sha256: this.hash.digest("hex") };
  }
}

/** What was written to the archive's file: its size and SHA-256 (hex). */
export type WrittenArchive = { bytes: number; sha256: string };

export class ExportArchive {
  private readonly zip = new yazl.ZipFile();
  private readonly out: WriteStream;
  private readonly written: Promise<unknown>;
  private readonly hash = createHash("sha256");
  private bytes = 0;
  /** Every file this archive opens, closed by `discard` before they are deleted. */
  private readonly files: (WriteStream | ReadStream)[] = [];

  /** Starts writing the archive to `file` (the export's `.partial` path). */
  constructor(
    file: string,
    private readonly progress: ExportProgress,
  ) {
    const out = createWriteStream(file);
    this.out = out;
    this.files.push(out);
    this.zip.outputStream.on("data", (chunk: Buffer) => {
      this.hash.update(chunk);
      this.bytes += chunk.length;
    });
    this.zip.outputStream.pipe(out);
    // Rejects if writing fails; `finish` reports it, and it is never an unhandled rejection.
    this.written = once(out, "close");
    this.written.catch(() => undefined);
  }

  /**
   * The next file of the archive; its bytes stream straight into the zip, so
   * write it to the end and close it before opening the next. Its rows move the
   * progress bar unless `countsRows` is false (README, manifest).
   */
  entry(name: string, { countsRows = true } = {}): FileSink {
    const stream = new PassThrough({ highWaterMark: 64 * 1024 });
    const tally = new FileTally();
    const progress = this.progress;
    this.zip.addReadStream(stream, name, entryOptions());
    return {
      async write(text, rows) {
        const chunk = Buffer.from(text, "utf8");
        tally.add(chunk, rows);
        if (countsRows) progress.add(rows);
        if (!stream.write(chunk)) await once(stream, "drain");
        await progress.heartbeat();
      },
      async close() {
        stream.end();
        return tally.manifestFile(name);
      },
    };
  }

  /**
   * A file written to `scratchFile` beside the archive first, and added as the
   * next entry when it is closed: so two files can be written in one pass over
   * the data (events.csv streams into the zip while events.ndjson waits here).
   */
  scratchEntry(name: string, scratchFile: string): FileSink {
    const stream: WriteStream = createWriteStream(scratchFile);
    this.files.push(stream);
    const opened = once(stream, "open");
    const tally = new FileTally();
    const progress = this.progress;
    const zip = this.zip;
    const files = this.files;
    const out = this.out;
    return {
      async write(text, rows) {
        const chunk = Buffer.from(text, "utf8");
        tally.add(chunk, rows);
        progress.add(rows);
        if (!stream.write(chunk)) await once(stream, "drain");
      },
      async close() {
        await opened;
        stream.end();
        await once(stream, "close");
        const reader = createReadStream(scratchFile);
        files.push(reader);
        // A scratch file that cannot be read fails the archive (and `finish`), not the process.
        reader.on("error", (error) => out.destroy(error));
        zip.addReadStream(reader, name, entryOptions());
        return tally.manifestFile(name);
      },
    };
  }

  /** Ends the zip and waits until the whole file is on disk; says what was written. */
  async finish(): Promise<WrittenArchive> {
    this.zip.end();
    await this.written;
    return { bytes: this.bytes, sha256: this.hash.digest("hex") };
  }

  /**
   * Stops writing after a failure and waits until every file it opened is
   * closed, so none is created or written after the caller deletes it (a file
   * still being opened would otherwise appear after the delete).
   */
  async discard(): Promise<void> {
    this.zip.outputStream.unpipe();
    await Promise.all(
      this.files.map(async (stream) => {
        if (stream.closed) return;
        const closed = once(stream, "close");
        stream.destroy();
        await closed;
      }),
    );
  }
}
