import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDatasetManifest } from "#app/models/dataset.server.ts";
import { notFound } from "#app/utils/responses.server.ts";
import { requireRole } from "#app/web/auth.server.ts";

/** A dataset's signed manifest as issued (ADR 0043): checked like a receipt, offline or in the portal. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, ["DATA_STEWARD", "ADMIN"]);
  const id = params.datasetId ?? "";
  const manifest = await getDatasetManifest(id);
  if (!manifest) notFound();
  return new Response(manifest, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="lull-dataset-${id}.manifest.json"`,
      "Cache-Control": "private, no-store",
    },
  });
}
