import { Form, Link, useNavigation } from "@remix-run/react";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import type { TrackingOverview } from "#app/models/tracking.server.ts";

/**
 * "Forget the last 5 / 15 / 30 minutes" (ADR 0041): one click deletes what
 * every agent recorded in that span, on the server's clock. Posts to /pauses
 * (works without JavaScript); a refusal shows there, above the forms.
 */
export function ForgetRecent({
  forget,
  returnTo,
  error,
}: {
  forget: TrackingOverview["forget"];
  returnTo: string;
  error?: string | null;
}) {
  const navigation = useNavigation();
  if (forget.perDay === 0) return null;
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "forget";
  const usedUp = forget.left === 0;
  return (
    <Card title="Forget recent activity" titleId="forget-heading">
      <div className="space-y-3">
        <p className="text-sm">
          Forgot to pause? Delete everything your agents recorded in the last few minutes, on every
          device. Anything they still hold from then is dropped before it is sent, and you get a
          signed receipt of what was deleted.
        </p>
        {error ? (
          <p role="alert" className="text-sm font-medium text-danger" data-testid="forget-error">
            {error}
          </p>
        ) : null}
        <Form method="post" action="/pauses" className="flex flex-wrap gap-2">
          <input type="hidden" name="intent" value="forget" />
          <input type="hidden" name="returnTo" value={returnTo} />
          {forget.choices.map((minutes) => (
            <Button
              key={minutes}
              type="submit"
              name="minutes"
              value={String(minutes)}
              variant="secondary"
              disabled={busy || usedUp}
              aria-label={`Forget the last ${minutes} minutes`}
            >
              Last {minutes} minutes
            </Button>
          ))}
        </Form>
        <p className="text-sm text-ink-muted" data-testid="forgets-left">
          {usedUp
            ? `You have used today's ${forget.perDay === 1 ? "forget" : `${forget.perDay} forgets`}. You can still pause tracking.`
            : `You can forget ${forget.left === 1 ? "once more" : `${forget.left} more times`} today.`}{" "}
          <Link to="/data/access#deletions" className="underline">
            Your deletion receipts
          </Link>
        </p>
      </div>
    </Card>
  );
}
