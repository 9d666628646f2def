import { Bar, BarChart, CartesianGrid, Legend, ReferenceArea, XAxis, YAxis } from "recharts";
import { EVENT_TYPES } from "#app/agent-protocol/v1.ts";

// Series colours from the design tokens (tailwind.config.ts brand palette and neutrals);
// the legend and the table name every series, so colour is never the only signal.
const COLORS: Record<(typeof EVENT_TYPES)[number], string> = {
  keystroke: "#0d6a60",
  click: "#26c1aa",
  scroll: "#93ecda",
  app_focus: "#6b7280",
};

/** Pauses amber, exemptions violet; each area also carries a word ("Paused", "Exempt"). */
const WINDOW_COLORS = { pause: "#f59e0b", exemption: "#8b5cf6" } as const;

type Bucket = { key: string; label: string } & Record<string, number | string>;

/**
 * Stacked events per hour or day, with pauses and exemptions shaded on the same axis.
 * Rendered on the server (fixed size, no animation), so it is there before
 * hydration; the table below it carries the same numbers for screen readers.
 */
export function ActivityChart({
  buckets,
  windows,
  windowLabels,
  granularity,
}: {
  buckets: Bucket[];
  /** Shaded areas: one per bucket range and kind. */
  windows: { kind: "pause" | "exemption"; from: string; to: string }[];
  /** Every pause and exemption in the period, in words. */
  windowLabels: string[];
  granularity: "hour" | "day" | "week";
}) {
  return (
    <figure className="space-y-3">
      <div className="overflow-x-auto" aria-hidden="true" data-testid="activity-chart">
        <BarChart
          width={900}
          height={260}
          data={buckets}
          margin={{ top: 10, right: 10, bottom: 0, left: 0 }}
        >
          <CartesianGrid
            strokeDasharray="3 3"
            vertical={false}
            stroke="#9ca3af"
            strokeOpacity={0.4}
          />
          <XAxis
            dataKey="label"
            tick={{ fontSize: 12, fill: "currentColor" }}
            interval="preserveStartEnd"
          />
          <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: "currentColor" }} width={48} />
          {windows.map((w, i) => (
            <ReferenceArea
              key={i}
              x1={w.from}
              x2={w.to}
              className={`lull-window-${w.kind}`}
              fill={WINDOW_COLORS[w.kind]}
              fillOpacity={0.25}
              ifOverflow="extendDomain"
              label={{
                value: w.kind === "pause" ? "Paused" : "Exempt",
                position: "insideTop",
                fontSize: 11,
                fill: "currentColor",
              }}
            />
          ))}
          {EVENT_TYPES.map((type) => (
            <Bar
              key={type}
              dataKey={type}
              stackId="events"
              fill={COLORS[type]}
              isAnimationActive={false}
            />
          ))}
          <Legend wrapperStyle={{ fontSize: 12 }} />
        </BarChart>
      </div>
      <figcaption className="text-sm text-ink-muted">
        Events stored per {granularity}, by type. Shaded: your pauses (amber, “Paused”) and approved
        exemptions (violet, “Exempt”); nothing they cover is stored.
      </figcaption>
      <details>
        <summary className="cursor-pointer text-sm font-medium underline underline-offset-2">
          Show the numbers as a table
        </summary>
        <div className="mt-2 overflow-x-auto">
          <table className="text-sm">
            <caption className="sr-only">Events per {granularity} and type</caption>
            <thead>
              <tr>
                <th scope="col" className="px-2 py-1 text-left">
                  {granularity === "hour" ? "Hour" : granularity === "day" ? "Day" : "Week"}
                </th>
                {EVENT_TYPES.map((t) => (
                  <th key={t} scope="col" className="px-2 py-1 text-right">
                    {t}
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
                      {Number(b[t] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {windowLabels.length > 0 ? (
          <ul className="mt-2 text-sm" data-testid="chart-windows">
            {windowLabels.map((label, i) => (
              <li key={i}>{label}</li>
            ))}
          </ul>
        ) : null}
      </details>
    </figure>
  );
}
