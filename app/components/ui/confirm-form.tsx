import {
  Form,
  Link,
  useActionData,
  useFormAction,
  useLocation,
  useNavigation,
} from "@remix-run/react";
import { useId, useRef, type ReactNode } from "react";
import { buttonClasses } from "#app/components/ui/button.tsx";
import { CONFIRM_FIELD, isConfirmStepFor } from "#app/domain/confirmation.ts";

type Variant = "primary" | "secondary" | "danger";

/**
 * A button for an irreversible or costly action that asks first (ADR 0027).
 *
 * With JavaScript the button opens a modal dialog (the native `<dialog>`: focus
 * moves into it, Escape closes it, the page behind is inert) whose confirm button
 * submits the action with `confirmed=<confirmKey>`. Without JavaScript the button
 * submits the form unconfirmed; the action answers with a confirm step and changes
 * nothing, and this component then shows the same question in the page, scrolled
 * into view by the address's fragment, with the confirming form and a way back.
 */
export function ConfirmForm({
  confirmKey,
  action,
  fields,
  title,
  children,
  confirmLabel,
  triggerLabel,
  triggerAriaLabel,
  triggerVariant = "danger",
  confirmVariant = "danger",
  triggerClassName = "",
  className = "",
}: {
  /** The action and its target, as the server checks it: `revoke-device:<id>`. */
  confirmKey: string;
  /** Where the form posts; the current route's action by default. */
  action?: string;
  /** Hidden fields of the action (intent, ids, where to return). */
  fields: Record<string, string>;
  /** The question: "Revoke Work laptop?" */
  title: string;
  /** What will happen, in plain words, including what cannot be undone. */
  children: ReactNode;
  confirmLabel: string;
  triggerLabel: ReactNode;
  triggerAriaLabel?: string;
  triggerVariant?: Variant;
  confirmVariant?: Variant;
  triggerClassName?: string;
  className?: string;
}) {
  const actionData = useActionData();
  const routeAction = useFormAction();
  const target = action ?? routeAction;
  const location = useLocation();
  const navigation = useNavigation();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  const anchor = `confirm-${confirmKey.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const busy =
    navigation.state !== "idle" && navigation.formData?.get(CONFIRM_FIELD) === confirmKey;
  const hidden = Object.entries(fields).map(([name, value]) => (
    <input key={name} type="hidden" name={name} value={value} />
  ));
  const confirmingForm = (onSubmit?: () => void) => (
    <Form method="post" action={target} onSubmit={onSubmit}>
      {hidden}
      <input type="hidden" name={CONFIRM_FIELD} value={confirmKey} />
      <button type="submit" className={buttonClasses(confirmVariant)} disabled={busy}>
        {confirmLabel}
      </button>
    </Form>
  );

  if (isConfirmStepFor(actionData, confirmKey)) {
    return (
      <section
        id={anchor}
        aria-labelledby={`${id}-title`}
        className={`rounded-card border-2 border-danger bg-surface-raised p-4 ${className}`}
        data-testid="confirm-step"
      >
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          {title}
        </h2>
        <div className="mt-2 space-y-2 text-ink">{children}</div>
        <div className="mt-4 flex flex-wrap items-center gap-3">
          {confirmingForm()}
          <Link
            to={`${location.pathname}${location.search}`}
            className={buttonClasses("secondary")}
          >
            Cancel
          </Link>
        </div>
      </section>
    );
  }

  return (
    <>
      <Form method="post" action={`${target}#${anchor}`} className={className}>
        {hidden}
        <button
          type="submit"
          className={buttonClasses(triggerVariant, triggerClassName)}
          aria-label={triggerAriaLabel}
          aria-haspopup="dialog"
          onClick={(event) => {
            const dialog = dialogRef.current;
            if (dialog && typeof dialog.showModal === "function") {
              event.preventDefault();
              dialog.showModal();
              // The safe choice has the focus when the dialog opens.
              cancelRef.current?.focus();
            }
          }}
        >
          {triggerLabel}
        </button>
      </Form>
      <dialog
        ref={dialogRef}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        className="w-[calc(100%-2rem)] max-w-md rounded-card border border-line bg-surface-raised p-6 text-ink shadow-xl backdrop:bg-black/60"
        data-testid="confirm-dialog"
      >
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          {title}
        </h2>
        <div id={`${id}-body`} className="mt-2 space-y-2">
          {children}
        </div>
        <div className="mt-6 flex flex-wrap-reverse justify-end gap-3">
          <button
            type="button"
            ref={cancelRef}
            className={buttonClasses("secondary")}
            onClick={() => dialogRef.current?.close()}
          >
            Cancel
          </button>
          {confirmingForm(() => dialogRef.current?.close())}
        </div>
      </dialog>
    </>
  );
}
