import { useState } from "react";
import { Button } from "#app/components/ui/button.tsx";

/**
 * A set-password link, shown once to the admin (only its hash is stored):
 * they can hand it over if the mail does not arrive.
 */
export function SetupLinkNotice({
  name,
  email,
  url,
  expires,
  heading,
}: {
  name: string;
  email: string;
  url: string;
  expires: string;
  heading: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <section
      aria-labelledby="setup-link-heading"
      className="space-y-3 rounded-card border border-brand-700/40 bg-brand-50 p-5 dark:bg-brand-950"
      data-testid="setup-link"
    >
      <h2 id="setup-link-heading" className="text-lg font-semibold">
        {heading}
      </h2>
      <p>
        We mailed {name} ({email}) a one-time link to set their password. It works once, until{" "}
        {expires}. This is the only time it is shown here:
      </p>
      <p className="break-all rounded-lg border border-line bg-surface-raised p-3 font-mono text-sm">
        <a href={url} className="underline underline-offset-2" data-testid="setup-link-url">
          {url}
        </a>
      </p>
      <Button
        variant="secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(url).then(() => setCopied(true));
        }}
      >
        {copied ? "Copied" : "Copy link"}
      </Button>
    </section>
  );
}
