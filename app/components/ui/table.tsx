import { ScrollArea } from "./scroll-area.tsx";
import type { ReactNode } from "react";

/** A bordered, horizontally scrollable table with a caption for screen readers and column headers. */
export function DataTable({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: readonly ReactNode[];
  children: ReactNode;
}) {
  return (
    <ScrollArea label={caption} className="rounded-card border border-line bg-surface-raised">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-surface-sunken text-ink-muted">
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" className="px-4 py-2 font-medium">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">{children}</tbody>
      </table>
    </ScrollArea>
  );
}

/** A table cell holding a moment: the words shown, the machine-readable instant in `<time>`. */
export function TimeCell({ iso, text }: { iso: string | null; text: string }) {
  return (
    <td className="whitespace-nowrap px-4 py-2">
      {iso ? <time dateTime={iso}>{text}</time> : text}
    </td>
  );
}
