import { useEffect } from "react";
import { useRevalidator } from "@remix-run/react";
import type { ExportStatus } from "#app/domain/records-export.ts";

export type PresentedExport = {
  id: string;
  status: ExportStatus;
  requested: string;
  requestedBy: string | null;
  worker: string;
  reason: string | null;
  written: number;
  total: number;
  percent: number;
  size: string;
  expires: string | null;
  error: string | null;
};

const STATUS_TEXT: Record<ExportStatus, string> = {
  QUEUED: "Waiting to start",
  RUNNING: "Being prepared",
  COMPLETE: "Ready",
  FAILED: "Failed",
  EXPIRED: "Expired (file deleted)",
};

/** While an export is being prepared, re-read the page every second (progressive: a link without JS). */
export function useLiveWhile(active: boolean) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [active, revalidator]);
}

export function ExportList({
  exports,
  showWorker,
}: {
  exports: PresentedExport[];
  showWorker: boolean;
}) {
  return (
    <ul className="space-y-3" data-testid="export-list">
      {exports.map((e) => (
        <li
          key={e.id}
          className="rounded-card border border-line bg-surface-raised p-4"
          data-testid="export"
        >
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="font-semibold">
              {showWorker ? `${e.worker}: ` : ""}Requested {e.requested}
              {e.requestedBy ? (
                <span className="font-normal text-ink-muted"> by {e.requestedBy}</span>
              ) : null}
            </p>
            <span className="text-sm font-medium" data-testid="export-status">
              {STATUS_TEXT[e.status]}
            </span>
          </div>
          {e.reason ? <p className="mt-1 text-sm text-ink-muted">Reason: {e.reason}</p> : null}
          {e.status === "QUEUED" || e.status === "RUNNING" || e.status === "COMPLETE" ? (
            <div className="mt-3">
              <label htmlFor={`progress-${e.id}`} className="text-sm">
                {e.written.toLocaleString("en-GB")} of {e.total.toLocaleString("en-GB")} rows
                written ({e.percent}%)
              </label>
              <progress
                id={`progress-${e.id}`}
                max={100}
                value={e.percent}
                className="mt-1 block h-3 w-full"
                data-testid="export-progress"
              >
                {e.percent}%
              </progress>
              {e.status !== "COMPLETE" ? (
                <noscript>
                  <p className="mt-1 text-sm">
                    <a href="">Reload the page</a> to see the progress.
                  </p>
                </noscript>
              ) : null}
            </div>
          ) : null}
          {e.status === "COMPLETE" ? (
            <p className="mt-2 flex flex-wrap items-center gap-3">
              <a
                href={`/records/${e.id}/download`}
                download
                className="font-semibold underline underline-offset-2"
              >
                Download ZIP ({e.size})
              </a>
              <span className="text-sm text-ink-muted">Available until {e.expires}.</span>
            </p>
          ) : null}
          {e.error ? <p className="mt-2 text-sm text-danger">{e.error}</p> : null}
        </li>
      ))}
    </ul>
  );
}
