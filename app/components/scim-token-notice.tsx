import { useState } from "react";
import { Button } from "#app/components/ui/button.tsx";

/** A new SCIM token, shown this once (only its hash is stored). */
export function ScimTokenNotice({ name, token }: { name: string; token: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <section
      aria-labelledby="scim-token-heading"
      className="space-y-3 rounded-card border border-brand-700/40 bg-brand-50 p-5 dark:bg-brand-950"
      data-testid="scim-token-notice"
    >
      <h2 id="scim-token-heading" className="text-lg font-semibold">
        New SCIM token “{name}”
      </h2>
      <p>
        Paste it into your identity provider's provisioning settings now. This is the only time it
        is shown; if it is lost, revoke it and create another.
      </p>
      <p
        className="break-all rounded-lg border border-line bg-surface-raised p-3 font-mono text-sm"
        data-testid="scim-token-value"
      >
        {token}
      </p>
      <Button
        variant="secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(token).then(() => setCopied(true));
        }}
      >
        {copied ? "Copied" : "Copy token"}
      </Button>
    </section>
  );
}
