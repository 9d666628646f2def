import { ScrollArea } from "#app/components/ui/scroll-area.tsx";
import { EVENT_TYPES, type EventType } from "#app/agent-protocol/v1.ts";
import type { ChartWindow } from "#app/domain/chart-windows.ts";
import { EVENT_TYPE_LABELS } from "#app/domain/exemption-labels.ts";

/*
 * A stacked bar chart drawn as plain SVG: classes and attributes only, no
 * inline styles, so it renders the same on the server and in the browser
 * under the CSP (`style-src 'self'`), and needs no chart library.
 */

/** Series colours from the design tokens; the legend and the table name every series. */
const SERIES_CLASS: Record<EventType, string> = {
  keystroke: "fill-brand-700 dark:fill-brand-300",
  click: "fill-brand-400 dark:fill-brand-500",
  scroll: "fill-amber-300 dark:fill-amber-200",
  app_focus: "fill-gray-500 dark:fill-gray-400",
};
const SWATCH_CLASS: Record<EventType, string> = {
  keystroke: "bg-brand-700 dark:bg-brand-300",
  click: "bg-brand-400 dark:bg-brand-500",
  scroll: "bg-amber-300 dark:bg-amber-200",
  app_focus: "bg-gray-500 dark:bg-gray-400",
};
/** Pauses and exemptions: hatched-looking translucent bands, each also named in words. */
const WINDOW_CLASS = {
  pause: "fill-amber-500/30 stroke-amber-600 dark:fill-amber-400/25",
  exemption: "fill-violet-500/25 stroke-violet-600 dark:fill-violet-400/25",
  forget: "fill-rose-500/25 stroke-rose-600 dark:fill-rose-400/25",
} as const;

type Bucket = { key: string; label: string } & Record<string, number | string>;

const PLOT = { left: 48, right: 8, top: 22, bottom: 28, width: 840, height: 220 } as const;

/** A round number at or above `n` for the axis: 1, 2 or 5 × a power of ten. */
export function niceCeiling(n: number): number {
  if (n <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

const count = (b: Bucket, t: EventType) => Number(b[t] ?? 0) || 0;

/**
 * Stacked events per hour, day or week, with pauses, exemptions and forgotten spans shaded
 * over exactly their time span (a 10-second pause is a sliver of its hour).
 * The table below carries the same numbers for screen readers and anyone who
 * wants them exactly.
 */
export function ActivityChart({
  buckets,
  windows,
  windowLabels,
  granularity,
}: {
  buckets: Bucket[];
  windows: ChartWindow[];
  /** Every pause and exemption in the period, in words. */
  windowLabels: string[];
  granularity: "hour" | "day" | "week";
}) {
  const n = Math.max(1, buckets.length);
  const slot = PLOT.width / n;
  const barWidth = Math.max(2, slot * 0.7);
  const max = niceCeiling(
    Math.max(0, ...buckets.map((b) => EVENT_TYPES.reduce((s, t) => s + count(b, t), 0))),
  );
  const y = (v: number) => PLOT.top + PLOT.height - (v / max) * PLOT.height;
  const labelEvery = Math.ceil(n / 12);
  const viewWidth = PLOT.left + PLOT.width + PLOT.right;
  const viewHeight = PLOT.top + PLOT.height + PLOT.bottom;
  return (
    <figure className="space-y-3">
      <ScrollArea label="Activity chart" testId="activity-chart">
        <svg
          viewBox={`0 0 ${viewWidth} ${viewHeight}`}
          className="h-auto w-full min-w-[36rem] text-ink"
          aria-hidden="true"
          focusable="false"
        >
          {[0, 0.5, 1].map((f) => (
            <g key={f}>
              <line
                x1={PLOT.left}
                x2={PLOT.left + PLOT.width}
                y1={y(max * f)}
                y2={y(max * f)}
                className="stroke-line"
                strokeDasharray={f === 0 ? undefined : "3 3"}
              />
              <text
                x={PLOT.left - 6}
                y={y(max * f) + 4}
                textAnchor="end"
                fontSize="12"
                className="fill-ink-muted"
              >
                {(max * f).toLocaleString("en-GB")}
              </text>
            </g>
          ))}
          {windows.map((w, i) => {
            const x = PLOT.left + w.x0 * slot;
            const width = Math.max(1.5, (w.x1 - w.x0) * slot);
            return (
              <g key={i} data-testid={`chart-window-${w.kind}`} data-x0={w.x0} data-x1={w.x1}>
                <rect
                  x={x}
                  y={PLOT.top}
                  width={width}
                  height={PLOT.height}
                  className={WINDOW_CLASS[w.kind]}
                  strokeWidth="0.5"
                >
                  <title>{w.label}</title>
                </rect>
                {width >= 8 * w.short.length ? (
                  <text x={x + 3} y={PLOT.top - 6} fontSize="11" className="fill-ink-muted">
                    {w.short}
                  </text>
                ) : null}
              </g>
            );
          })}
          {buckets.map((b, i) => {
            let top = 0;
            const x = PLOT.left + i * slot + (slot - barWidth) / 2;
            return (
              <g key={b.key}>
                {EVENT_TYPES.map((t) => {
                  const v = count(b, t);
                  if (v === 0) return null;
                  const rect = (
                    <rect
                      key={t}
                      x={x}
                      y={y(top + v)}
                      width={barWidth}
                      height={y(top) - y(top + v)}
                      className={SERIES_CLASS[t]}
                    />
                  );
                  top += v;
                  return rect;
                })}
                {i % labelEvery === 0 ? (
                  <text
                    x={PLOT.left + i * slot + slot / 2}
                    y={PLOT.top + PLOT.height + 18}
                    textAnchor="middle"
                    fontSize="12"
                    className="fill-ink-muted"
                  >
                    {b.label}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      </ScrollArea>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Legend">
        {EVENT_TYPES.map((t) => (
          <li key={t} className="flex items-center gap-1.5">
            <span
              aria-hidden="true"
              className={`inline-block h-3 w-3 rounded-sm ${SWATCH_CLASS[t]}`}
            />
            {EVENT_TYPE_LABELS[t]}
          </li>
        ))}
        <li className="flex items-center gap-1.5">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm bg-amber-500/40" />
          Paused
        </li>
        <li className="flex items-center gap-1.5">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm bg-violet-500/40" />
          Exempt
        </li>
        <li className="flex items-center gap-1.5">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm bg-rose-500/40" />
          Forgotten
        </li>
      </ul>
      <figcaption className="text-sm text-ink-muted">
        Events stored per {granularity}, by type. Shaded: exactly when you were paused (amber),
        exempt (violet), or what you asked to forget (rose); nothing they cover is stored. An
        exemption for some types only is labelled with them.
      </figcaption>
      {windowLabels.length > 0 ? (
        <ul className="text-sm" data-testid="chart-windows">
          {windowLabels.map((label, i) => (
            <li key={i}>{label}</li>
          ))}
        </ul>
      ) : null}
      <details>
        <summary className="cursor-pointer text-sm font-medium underline underline-offset-2">
          Show the numbers as a table
        </summary>
        <ScrollArea label="The numbers as a table" className="mt-2">
          <table className="text-sm">
            <caption className="sr-only">Events per {granularity} and type</caption>
            <thead>
              <tr>
                <th scope="col" className="px-2 py-1 text-left">
                  {granularity === "hour" ? "Hour" : granularity === "day" ? "Day" : "Week"}
                </th>
                {EVENT_TYPES.map((t) => (
                  <th key={t} scope="col" className="px-2 py-1 text-right">
                    {EVENT_TYPE_LABELS[t]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.key}>
                  <th scope="row" className="px-2 py-1 text-left font-normal">
                    {b.label}
                  </th>
                  {EVENT_TYPES.map((t) => (
                    <td key={t} className="px-2 py-1 text-right tabular-nums">
                      {count(b, t).toLocaleString("en-GB")}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      </details>
    </figure>
  );
}
