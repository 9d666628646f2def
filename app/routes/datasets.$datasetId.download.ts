import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { openDatasetForDownload } from "#app/models/dataset.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

/** Streams a finished dataset's file (JSON Lines) to a data steward or an admin; audited. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const steward = await requireRole(request, ["DATA_STEWARD", "ADMIN"]);
  const file = await openDatasetForDownload(params.datasetId ?? "", steward.id, new Date());
  if (!file) notFound();
  const body = Readable.toWeb(createReadStream(file.file)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.name}"`,
      ...(file.bytes !== undefined ? { "Content-Length": String(file.bytes) } : {}),
      "Cache-Control": "private, no-store",
    },
  });
}
