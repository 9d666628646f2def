/**
 * The archive's first and last files, pure: README.txt (how to read it, and
 * whom to ask) and manifest.json (every file with its rows, bytes and SHA-256).
 */
import {
  ARCHIVE_README,
  EXPORT_SCHEMA_VERSION,
  type Manifest,
  type ManifestFile,
} from "#app/domain/records-export.ts";

/**
 * The bare address of a sender such as `Lull privacy portal <privacy@lull.test>`
 * (MAIL_FROM): the README names it as the contact for questions.
 */
export function contactAddress(mailFrom: string): string {
  const bracketed = /<([^<>]+)>\s*$/.exec(mailFrom);
  return (bracketed ? bracketed[1]! : mailFrom).trim();
}

export function archiveReadme({
  mailFrom,
  timeZone,
}: {
  mailFrom: string;
  timeZone: string;
}): string {
  return ARCHIVE_README(contactAddress(mailFrom), timeZone);
}

export function buildManifest({
  exportId,
  workerId,
  generatedAt,
  timeZone,
  files,
}: {
  exportId: string;
  workerId: string;
  generatedAt: Date;
  timeZone: string;
  files: ManifestFile[];
}): Manifest {
  return {
    exportId,
    workerId,
    generatedAt: generatedAt.toISOString(),
    schemaVersion: EXPORT_SCHEMA_VERSION,
    timeZone,
    files,
  };
}
