/**
 * Refuses passwords that are easy to guess (ASVS 6.2.4, 6.2.11): the ones on
 * the common and leaked password lists shipped offline in
 * `@zxcvbn-ts/language-common` (≈49,000 from breach corpora), and anything
 * zxcvbn estimates at fewer than 10⁸ guesses (repeats, sequences, keyboard
 * walks, dictionary words with a digit or two, the person's own name or
 * email). No composition rules: a long phrase passes (ADR 0022).
 */
import { zxcvbn, zxcvbnOptions } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";

/** zxcvbn's score 3: "safely unguessable", at least 10⁸ guesses. */
const MIN_SCORE = 3;
/** zxcvbn's matching is super-linear in length; a longer password is judged on its start. */
const JUDGED_LENGTH = 100;

let configured = false;
function configure() {
  if (configured) return;
  zxcvbnOptions.setOptions({
    dictionary: { ...common.dictionary },
    graphs: common.adjacencyGraphs,
  });
  configured = true;
}

export const COMMON_PASSWORD_MESSAGE =
  "This password is on lists of common and leaked passwords. Choose another one.";
export const PERSONAL_PASSWORD_MESSAGE =
  "This password is too close to your name or email address. Choose another one.";
export const GUESSABLE_PASSWORD_MESSAGE =
  "This password is too easy to guess. A phrase of four or more unrelated words is strong and easy to remember.";

/**
 * Why `password` is too weak, or null. `personal` holds what an attacker would
 * try first for this person: their name, email address and its parts.
 */
export function passwordWeakness(password: string, personal: readonly string[]): string | null {
  configure();
  const judged = password.slice(0, JUDGED_LENGTH);
  const inputs = personal.flatMap((p) => {
    const lower = p.toLowerCase();
    // The whole value, an email's local part ("ines.okafor") and each word of it.
    return [lower, lower.split("@")[0]!, ...lower.split(/[^\p{L}\p{N}]+/u)];
  });
  const result = zxcvbn(
    judged,
    inputs.filter((p) => p.length >= 3),
  );
  const whole = result.sequence.length === 1 ? result.sequence[0] : undefined;
  if (whole?.pattern === "dictionary" && whole.dictionaryName === "passwords") {
    return COMMON_PASSWORD_MESSAGE;
  }
  if (result.score >= MIN_SCORE) return null;
  const personalMatch = result.sequence.some(
    (s) => s.pattern === "dictionary" && s.dictionaryName === "userInputs",
  );
  return personalMatch ? PERSONAL_PASSWORD_MESSAGE : GUESSABLE_PASSWORD_MESSAGE;
}
