import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Button } from "#app/components/ui/button.tsx";
import { Card } from "#app/components/ui/card.tsx";
import { Field } from "#app/components/ui/field.tsx";
import { tooManyCodesMessage } from "#app/domain/login-throttle.ts";
import { AuthenticatorCodeSchema, TWO_FACTOR_ROLES } from "#app/domain/two-factor.ts";
import {
  beginTwoFactorSetup,
  confirmTwoFactor,
  renewRecoveryCodes,
  turnOffTwoFactor,
  twoFactorStatus,
} from "#app/models/two-factor.server.ts";
import { redirectWithToast } from "#app/utils/toast.server.ts";
import { requireRole } from "#app/web/auth.server.ts";
import { redirectWithRefusal, refusalStatus } from "#app/web/refusal-response.server.ts";
import { readForm } from "#app/web/request-body.server.ts";
import {
  reserveSecondFactorAttempt,
  secondFactorClears,
} from "#app/web/sign-in-throttle.server.ts";
import { qrCodeSvg } from "#app/web/totp-qr.server.ts";

export const meta: MetaFunction = () => [{ title: "Two-factor sign-in · Lull" }];

/** Staff, who see other people's data, protect their sign-in with a second factor. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, TWO_FACTOR_ROLES);
  const status = await twoFactorStatus(user.id, user.email);
  const qrSvg = status.pending ? await qrCodeSvg(status.pending.uri) : null;
  return {
    enabled: status.enabled,
    recoveryCodesLeft: status.recoveryCodesLeft,
    pending: status.pending ? { secret: status.pending.secret, qrSvg } : null,
  };
}

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("start") }),
  AuthenticatorCodeSchema.extend({ intent: z.literal("confirm") }),
  AuthenticatorCodeSchema.extend({ intent: z.literal("renew") }),
  AuthenticatorCodeSchema.extend({ intent: z.literal("off") }),
]);

type ActionData = { intent: string; error?: string; recoveryCodes?: string[] };

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, TWO_FACTOR_ROLES);
  const form = Object.fromEntries(await readForm(request));
  const parsed = ActionSchema.safeParse(form);
  const now = new Date();
  if (!parsed.success) {
    const intent = typeof form.intent === "string" ? form.intent : "";
    if (!["confirm", "renew", "off"].includes(intent)) {
      throw new Response("Unknown action", { status: 400 });
    }
    const error = parsed.error.issues[0]?.message ?? "Enter the 6-digit code.";
    return data<ActionData>({ intent, error }, { status: 400 });
  }
  const input = parsed.data;
  if (input.intent === "start") {
    const outcome = await beginTwoFactorSetup(user.id, now);
    if (!outcome.ok) return redirectWithRefusal("/account/two-factor", outcome.refusal);
    return redirect("/account/two-factor");
  }
  const attempt = await reserveSecondFactorAttempt(user.id);
  if (!attempt.allowed) {
    return data<ActionData>(
      { intent: input.intent, error: tooManyCodesMessage(attempt.retryAfterSeconds) },
      { status: 429, headers: { "Retry-After": String(attempt.retryAfterSeconds) } },
    );
  }
  if (input.intent === "off") {
    const outcome = await turnOffTwoFactor(user.id, input.code, now);
    if (!outcome.ok) {
      return data<ActionData>(
        { intent: input.intent, error: outcome.refusal.message },
        { status: refusalStatus(outcome.refusal) },
      );
    }
    await secondFactorClears(user.id);
    return redirectWithToast("/account/two-factor", {
      kind: "success",
      message: "Two-factor sign-in is off. Signing in now asks for your password only.",
    });
  }
  const outcome =
    input.intent === "confirm"
      ? await confirmTwoFactor(user.id, input.code, now)
      : await renewRecoveryCodes(user.id, input.code, now);
  if (!outcome.ok) {
    return data<ActionData>(
      { intent: input.intent, error: outcome.refusal.message },
      { status: refusalStatus(outcome.refusal) },
    );
  }
  await secondFactorClears(user.id);
  // Shown once, in this answer only: never stored in a cookie or readable again.
  return data<ActionData>({ intent: input.intent, recoveryCodes: outcome.value.recoveryCodes });
}

function CodeForm({
  intent,
  label,
  button,
  variant,
  error,
}: {
  intent: string;
  label: string;
  button: string;
  variant?: "secondary" | "danger";
  error?: string;
}) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  return (
    <Form method="post" className="space-y-3">
      <input type="hidden" name="intent" value={intent} />
      <Field
        label={label}
        errors={error ? [error] : null}
        inputProps={{
          id: `code-${intent}`,
          name: "code",
          type: "text",
          inputMode: "numeric",
          autoComplete: "one-time-code",
          spellCheck: false,
          required: true,
        }}
      />
      <Button type="submit" variant={variant} disabled={busy}>
        {button}
      </Button>
    </Form>
  );
}

export default function TwoFactorPage() {
  const { enabled, pending, recoveryCodesLeft } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorFor = (intent: string) => (result?.intent === intent ? result.error : undefined);

  if (result?.recoveryCodes) {
    return (
      <div className="mx-auto max-w-xl space-y-6">
        <h1 className="text-3xl font-bold tracking-tight">Your recovery codes</h1>
        <p className="text-ink-muted">
          {result.intent === "confirm"
            ? "Two-factor sign-in is on. "
            : "Your old codes no longer work. "}
          If you lose your authenticator app, each of these codes signs you in once. Keep them
          somewhere safe, such as your password manager: this is the only time Lull shows them.
        </p>
        <ul
          className="grid grid-cols-2 gap-2 rounded-card border border-line bg-surface-sunken p-4 font-mono text-base"
          data-testid="recovery-codes"
        >
          {result.recoveryCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
        <Link to="/account/two-factor" className="inline-block underline">
          I have saved them
        </Link>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-xl space-y-6">
      <h1 className="text-3xl font-bold tracking-tight">Two-factor sign-in</h1>
      <p className="text-ink-muted">
        You can see other people&apos;s data, so your account is worth protecting with more than a
        password. With two-factor sign-in on, Lull also asks for a code from an authenticator app on
        your phone (any app that supports time-based codes).
      </p>
      {enabled ? (
        <>
          <Card title="Two-factor sign-in is on" titleId="on-heading">
            <p className="text-sm" data-testid="two-factor-status">
              Signing in asks for a code from your authenticator app. {recoveryCodesLeft} of 10
              recovery codes left.
            </p>
          </Card>
          <Card title="New recovery codes" titleId="renew-heading">
            <p className="mb-3 text-sm text-ink-muted">
              Ten new codes replace the old ones, used or not.
            </p>
            <CodeForm
              intent="renew"
              label="Code from your authenticator app"
              button="Make new recovery codes"
              variant="secondary"
              error={errorFor("renew")}
            />
          </Card>
          <Card title="Turn off two-factor sign-in" titleId="off-heading">
            <CodeForm
              intent="off"
              label="Code from your authenticator app"
              button="Turn off"
              variant="danger"
              error={errorFor("off")}
            />
          </Card>
        </>
      ) : pending ? (
        <Card title="Scan this code with your authenticator app" titleId="setup-heading">
          <div className="space-y-4">
            <div
              className="w-48 max-w-full bg-white p-2"
              data-testid="totp-qr"
              role="img"
              aria-label="QR code holding your two-factor secret"
              // The SVG is made on the server by the qrcode library from our own otpauth URI.
              dangerouslySetInnerHTML={{ __html: pending.qrSvg ?? "" }}
            />
            <p className="text-sm">
              Cannot scan it? Type this key into the app instead:{" "}
              <code className="break-all font-mono" data-testid="totp-secret">
                {pending.secret}
              </code>
            </p>
            <CodeForm
              intent="confirm"
              label="Then enter the 6-digit code the app shows"
              button="Turn on two-factor sign-in"
              error={errorFor("confirm")}
            />
          </div>
        </Card>
      ) : (
        <Form method="post">
          <input type="hidden" name="intent" value="start" />
          <Button type="submit">Set up two-factor sign-in</Button>
        </Form>
      )}
    </div>
  );
}
