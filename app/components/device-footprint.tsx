import type { UploadFootprint } from "#app/domain/device-footprint.ts";

/**
 * The footprint section of a device card (ADR 0026): what its uploads cost
 * today and over 7 days, and what the agent says it used itself.
 */
export function DeviceFootprint({
  deviceId,
  uploads,
  resources,
}: {
  deviceId: string;
  uploads: UploadFootprint;
  resources: string;
}) {
  const headingId = `footprint-${deviceId}`;
  return (
    <section
      aria-labelledby={headingId}
      className="mt-3 border-t border-line pt-3 text-sm"
      data-testid="device-footprint"
    >
      <h4 id={headingId} className="font-medium">
        Data and resources used
      </h4>
      {uploads.kind === "none" ? (
        <p className="mt-1" data-testid="device-uploads">
          {uploads.summary}
        </p>
      ) : (
        <ul className="mt-1 space-y-0.5" data-testid="device-uploads">
          <li>{uploads.today}</li>
          <li>{uploads.week}</li>
          <li>{uploads.lastUpload}</li>
        </ul>
      )}
      <p className="mt-1" data-testid="device-resources">
        {resources}
      </p>
      <p className="mt-1 text-xs text-ink-muted">
        Sizes are the upload bodies as Lull received them, compressed when the agent compressed
        them; network overhead is not included. CPU time and memory are as the agent reports them.
      </p>
    </section>
  );
}
