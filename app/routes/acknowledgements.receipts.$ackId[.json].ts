import type { LoaderFunctionArgs } from "@remix-run/node";
import { formatReceipt } from "#app/receipts/receipt.ts";
import { getOwnAcknowledgement } from "#app/models/acknowledgement.server.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { notFound } from "#app/utils/responses.server.ts";

/** The receipt as issued, byte for byte what the portal signed (plus the signature). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const ack = await getOwnAcknowledgement(user.id, params.ackId ?? "");
  if (!ack) notFound();
  const name = `lull-receipt-${ack.receipt.payload.document.slug}-v${ack.receipt.payload.document.version}.json`;
  return new Response(formatReceipt(ack.receipt), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
