/**
 * Before an export is marked COMPLETE, the file on disk is read back and its
 * size and SHA-256 compared with what the archive wrote (ADR 0019): a file
 * another process wrote into, truncated or swapped is never served.
 */
import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import type { WrittenArchive } from "./archive.server.ts";

export class ArchiveMismatchError extends Error {
  override name = "ArchiveMismatchError";
}

/** Throws ArchiveMismatchError unless `file` holds exactly the bytes that were written. */
export async function verifyArchive(file: string, written: WrittenArchive): Promise<void> {
  const bytes = statSync(file).size;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const sha256 = hash.digest("hex");
  if (bytes !== written.bytes || sha256 !== written.sha256) {
    throw new ArchiveMismatchError(
      `${file} holds ${bytes} bytes (SHA-256 ${sha256}) but ${written.bytes} bytes (SHA-256 ${written.sha256}) were written`,
    );
  }
}
