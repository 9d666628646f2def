/**
 * The confirm step of an irreversible or costly action (ADR 0027).
 *
 * The form that starts such an action carries no confirmation. With
 * JavaScript the page asks in a dialog and submits the action with
 * `confirmed` set to the action's key; without JavaScript the server answers
 * the unconfirmed submission with a confirm step (`{ kind: "confirm", confirm: key }`) and
 * changes nothing, and the page shows the same question with a form that
 * carries the key. The key names the action and its target (`revoke-device:…`),
 * so a confirmation for one thing never performs another.
 */
export const CONFIRM_FIELD = "confirmed";

export type ConfirmStep = { kind: "confirm"; confirm: string };

/** True when the submission has not been confirmed for exactly this action and target. */
export function needsConfirmation(form: FormData, key: string): boolean {
  return form.get(CONFIRM_FIELD) !== key;
}

export function confirmStep(key: string): ConfirmStep {
  return { kind: "confirm", confirm: key };
}

/** Whether an action's answer is the confirm step for this key. */
export function isConfirmStepFor(actionData: unknown, key: string): boolean {
  return (
    typeof actionData === "object" &&
    actionData !== null &&
    "kind" in actionData &&
    "confirm" in actionData &&
    (actionData as ConfirmStep).kind === "confirm" &&
    (actionData as ConfirmStep).confirm === key
  );
}
