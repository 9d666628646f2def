/**
 * The tables the privacy office's overview and the council's overview share
 * (ADR 0042): pauses per day and the privacy choices, as their loaders
 * present them (app/web/aggregate-view.server.ts). A suppressed figure says
 * so in words; it is never a zero.
 */
import { DataTable } from "#app/components/ui/table.tsx";
import { MIN_GROUP_SIZE, PAUSE_REPORT_DAYS } from "#app/domain/reporting.ts";

const cell = "px-4 py-2";
const number = "px-4 py-2 text-right tabular-nums";

export function PausesPerDayTable({
  days,
}: {
  days: readonly { key: string; label: string; count: number | null }[];
}) {
  return (
    <DataTable caption="Pauses started per day" columns={["Day", "Pauses started"]}>
      {days.map((d) => (
        <tr key={d.key}>
          <th scope="row" className={`${cell} font-normal`}>
            <time dateTime={d.key}>{d.label}</time>
          </th>
          <td className={number}>{d.count ?? `Fewer than ${MIN_GROUP_SIZE} people`}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function PrivacyChoicesTable({
  rows,
  minWorkers,
}: {
  rows: readonly { key: string; label: string; total: number | null; workers: number | null }[];
  minWorkers: number;
}) {
  return (
    <DataTable
      caption={`Privacy choices, last ${PAUSE_REPORT_DAYS} days`}
      columns={["What", "Count", "Workers"]}
    >
      {rows.map((r) => (
        <tr key={r.key} data-testid={`privacy-${r.key}`}>
          <th scope="row" className={`${cell} font-normal`}>
            {r.label}
          </th>
          {r.total === null ? (
            <td colSpan={2} className={`${cell} text-ink-muted`}>
              Fewer than {minWorkers} workers — not shown
            </td>
          ) : (
            <>
              <td className={number}>{r.total}</td>
              <td className={number}>{r.workers}</td>
            </>
          )}
        </tr>
      ))}
    </DataTable>
  );
}
