import type { Toast } from "#app/utils/toast.server.ts";

/** A confirmation after a redirect, announced to screen readers. */
export function ToastMessage({ toast }: { toast: Toast }) {
  const tone =
    toast.kind === "success"
      ? "border-success/40 bg-success-surface text-success"
      : "border-danger/40 bg-danger-surface text-danger";
  return (
    <div className="mx-auto mt-4 w-full max-w-page px-4 print:hidden">
      <p role="status" className={`rounded-lg border px-4 py-3 text-sm font-medium ${tone}`}>
        <span aria-hidden="true">{toast.kind === "success" ? "✓ " : "⚠ "}</span>
        {toast.message}
      </p>
    </div>
  );
}
