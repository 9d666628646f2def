import type { ReactNode } from "react";
import type { ChangePart, DocumentChangesView } from "#app/domain/document-diff.ts";

/**
 * "What changed since version N" as formatted text. Every mark says what it
 * is in words (a label on each passage; "[added: …]" and "[removed: …]" for
 * screen readers inside a changed passage) and by its shape (underlined,
 * struck through, a bar in the margin), never by colour alone. The HTML comes
 * from the server's safe Markdown renderer (app/utils/document-changes.server.ts).
 */
export function DocumentChanges({
  view,
  fromVersion,
}: {
  view: DocumentChangesView | null;
  fromVersion: number;
}) {
  if (view === null) {
    return (
      <p data-testid="document-diff">
        This version rewrites too much of the document to show the changes one by one. Read it in
        full below.
      </p>
    );
  }
  if (!view.anyChange) {
    return (
      <p data-testid="document-diff">
        The text is the same as in version {fromVersion}. Read it again below before you acknowledge
        it.
      </p>
    );
  }
  return (
    <>
      <p className="mb-2 text-sm text-ink-muted">
        Each changed passage is labelled. Inside a changed passage, added words are underlined and
        removed words are struck through. Unchanged passages are folded; open them to read them.
      </p>
      <div
        className="lull-diff max-h-[32rem] space-y-3 overflow-y-auto rounded-lg border border-line p-3 print:max-h-none print:overflow-visible print:border-0 print:p-0"
        data-testid="document-diff"
        role="region"
        aria-label={`Changes since version ${fromVersion}`}
        // Scrollable, so reachable by keyboard.
        tabIndex={0}
      >
        {view.titleHtml ? (
          <Passage kind="changed" label="Title changed">
            <p
              className="text-lg font-semibold"
              dangerouslySetInnerHTML={{ __html: view.titleHtml }}
            />
          </Passage>
        ) : null}
        {view.parts.map((part, i) => (
          <Part key={i} part={part} />
        ))}
      </div>
    </>
  );
}

const PASSAGE = {
  added: { mark: "+", frame: "border-success bg-success-surface" },
  removed: { mark: "−", frame: "border-danger bg-danger-surface" },
  changed: { mark: "±", frame: "border-ink-muted bg-surface-raised" },
} as const;

function Passage({
  kind,
  label,
  children,
}: {
  kind: keyof typeof PASSAGE;
  label: string;
  children: ReactNode;
}) {
  return (
    <div
      className={`border-l-4 py-2 pl-3 pr-2 ${PASSAGE[kind].frame}`}
      data-testid={`change-${kind}`}
    >
      <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-ink">
        <span aria-hidden="true">{PASSAGE[kind].mark} </span>
        {label}
      </p>
      {children}
    </div>
  );
}

function Part({ part }: { part: ChangePart }) {
  switch (part.kind) {
    case "context":
      return (
        <div
          className="lull-prose max-w-none text-ink-muted"
          dangerouslySetInnerHTML={{ __html: part.html }}
        />
      );
    case "unchanged":
      return (
        <details className="rounded-md border border-dashed border-line px-3 py-1 text-ink-muted">
          <summary className="cursor-pointer text-sm">
            {part.count} unchanged {part.count === 1 ? "passage" : "passages"}
          </summary>
          <div
            className="lull-prose mt-2 max-w-none"
            dangerouslySetInnerHTML={{ __html: part.html }}
          />
        </details>
      );
    case "added":
      return (
        <Passage kind="added" label="Added">
          <ins
            className="lull-prose block max-w-none bg-transparent text-ink no-underline"
            dangerouslySetInnerHTML={{ __html: part.html }}
          />
        </Passage>
      );
    case "removed":
      return (
        <Passage kind="removed" label="Removed">
          <del
            className="lull-prose block max-w-none bg-transparent text-ink"
            dangerouslySetInnerHTML={{ __html: part.html }}
          />
        </Passage>
      );
    case "changed":
      return (
        <Passage
          kind="changed"
          label={part.formattingOnly ? "Changed: formatting or links only" : "Changed"}
        >
          <div className="lull-prose max-w-none" dangerouslySetInnerHTML={{ __html: part.html }} />
        </Passage>
      );
  }
}
