import type { ReactNode } from "react";

/**
 * Content that may scroll sideways on a narrow screen (a table, a chart, raw
 * text): a named region that takes the keyboard focus, so it can be scrolled
 * without a mouse (axe's scrollable-region-focusable).
 */
export function ScrollArea({
  label,
  children,
  className = "",
  testId,
}: {
  label: string;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <div
      role="region"
      aria-label={label}
      // A scrollable region must be reachable by keyboard.
      tabIndex={0}
      className={`overflow-x-auto focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 ${className}`}
      data-testid={testId}
    >
      {children}
    </div>
  );
}
