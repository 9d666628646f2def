/**
 * Sign-in throttling policy. Every attempt is counted *before* its password
 * is checked (so attempts in flight count too), against three budgets:
 *
 * - one account from one address: tight, so guessing from one place is slow
 *   at once;
 * - one address, any accounts: far higher, so a whole office behind one NAT
 *   address is never locked out by a few people's typos (the address honours
 *   TRUST_PROXY);
 * - one account, any addresses: bounds guessing spread over many addresses.
 *   A targeted lockout of the person then needs a sustained attack from many
 *   addresses; a typo or an attacker at one address only slows that address.
 *
 * A successful sign-in clears its account's budgets.
 */
export const SIGN_IN_BUDGETS = {
  accountFromAddress: { attempts: 5, perSeconds: 60 },
  address: { attempts: 1000, perSeconds: 600 },
  account: { attempts: 60, perSeconds: 3600 },
} as const;

export function tooManyAttemptsMessage(retryAfterSeconds: number): string {
  const unit = retryAfterSeconds === 1 ? "second" : "seconds";
  return `Too many sign-in attempts. Try again in ${retryAfterSeconds} ${unit}.`;
}

/**
 * Codes of the second factor, per account: a six-digit code with a step either
 * side leaves three right answers in a million, so five tries in five minutes
 * make a guess take years (ASVS 6.3.1).
 */
export const SECOND_FACTOR_BUDGET = { attempts: 5, perSeconds: 300 } as const;

export function tooManyCodesMessage(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return `Too many codes tried. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;
}
