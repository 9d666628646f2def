export type ListedPurpose = {
  key: string;
  name: string;
  description: string;
  legalBasis: string;
  retentionDays: number;
  version: number;
};

/**
 * The purpose registry as the monitoring notice lists it (ADR 0042): what
 * workers' data may be used for, and what the policy rules out.
 */
export function PurposeList({
  permitted,
  prohibited,
}: {
  permitted: readonly ListedPurpose[];
  prohibited: readonly ListedPurpose[];
}) {
  return (
    <section
      aria-labelledby="purposes-heading"
      className="rounded-card border border-line bg-surface-raised p-5 shadow-sm"
      data-testid="notice-purposes"
    >
      <h2 id="purposes-heading" className="text-lg font-semibold text-ink">
        What your data may be used for
      </h2>
      <p className="mt-1 text-sm text-ink-muted">
        The purposes in force now. Anyone other than you who opens or uses your data must name one
        of them, and you see it in Data history.
      </p>
      <ul className="mt-3 space-y-3">
        {permitted.map((p) => (
          <li key={p.key}>
            <p className="font-semibold">{p.name}</p>
            <p>{p.description}</p>
            <p className="text-sm text-ink-muted">
              Legal basis: {p.legalBasis}. Kept for {p.retentionDays} days. Version {p.version}.
            </p>
          </li>
        ))}
      </ul>
      {prohibited.length > 0 ? (
        <>
          <h3 className="mt-5 font-semibold text-ink">Never used for</h3>
          <ul className="mt-2 list-disc space-y-1 pl-5" data-testid="prohibited-purposes">
            {prohibited.map((p) => (
              <li key={p.key}>
                <span className="font-semibold">{p.name}</span>: {p.description}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
