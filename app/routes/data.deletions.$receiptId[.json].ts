import type { LoaderFunctionArgs } from "@remix-run/node";
import { deletionReceiptFileName } from "#app/domain/deletion-receipts.ts";
import { getOwnDeletionReceipt } from "#app/models/deletion-receipt.server.ts";
import { formatReceipt } from "#app/receipts/receipt.ts";
import { requireUser } from "#app/web/auth.server.ts";
import { notFound } from "#app/utils/responses.server.ts";

/** A deletion receipt as issued (ADR 0041), byte for byte what the portal signed (plus the signature). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const row = await getOwnDeletionReceipt(user.id, params.receiptId ?? "");
  if (!row) notFound();
  return new Response(formatReceipt(row.receipt), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${deletionReceiptFileName(row.receipt.payload)}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
