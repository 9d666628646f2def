import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { openExportForDownload } from "#app/models/record-export.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { notFound } from "#app/utils/responses.server.ts";

/** Streams a finished export to the worker (or the staff member who asked for it); 404 otherwise. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const file = await openExportForDownload({
    id: params.exportId ?? "",
    viewerId: user.id,
    now: new Date(),
  });
  if (!file) notFound();
  const body = Readable.toWeb(createReadStream(file.file)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="lull-records-${params.exportId}.zip"`,
      ...(file.bytes ? { "Content-Length": String(file.bytes) } : {}),
      "Cache-Control": "private, no-store",
    },
  });
}
