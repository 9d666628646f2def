import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { SECOND_FACTOR_BUDGET, SIGN_IN_BUDGETS } from "#app/domain/login-throttle.ts";

/*
 * The sign-in budgets (app/domain/login-throttle.ts) as rate-limiter-flexible
 * limiters (ADR 0020). In memory: one process serves a SQLite database, and
 * each consume is counted synchronously, so no two attempts can both take the
 * last point however many run at once. A restart forgets the counts, which
 * no attacker can cause. Several nodes (issue 18) switch to its PostgreSQL store.
 */

type Limiters = {
  accountFromAddress: RateLimiterMemory;
  address: RateLimiterMemory;
  account: RateLimiterMemory;
  secondFactor: RateLimiterMemory;
};

declare global {
  var __lullSignInLimiters: Limiters | undefined;
}

type Budget = { attempts: number; perSeconds: number };
type Budgets = {
  accountFromAddress: Budget;
  address: Budget;
  account: Budget;
  secondFactor?: Budget;
};

function create(budgets: Budgets = SIGN_IN_BUDGETS): Limiters {
  const of = ({ attempts, perSeconds }: Budget) =>
    new RateLimiterMemory({ points: attempts, duration: perSeconds });
  return {
    accountFromAddress: of(budgets.accountFromAddress),
    address: of(budgets.address),
    account: of(budgets.account),
    secondFactor: of(budgets.secondFactor ?? SECOND_FACTOR_BUDGET),
  };
}

function limiters(): Limiters {
  globalThis.__lullSignInLimiters ??= create();
  return globalThis.__lullSignInLimiters;
}

export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

async function take(limiter: RateLimiterMemory, key: string): Promise<AttemptVerdict> {
  try {
    await limiter.consume(key);
    return { allowed: true };
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
    };
  }
}

/**
 * Counts one sign-in attempt before its password is checked. The narrowest
 * budget is taken first, so attempts refused there (an attacker hammering one
 * account from one address) cost the person nothing elsewhere.
 */
export async function reserveSignInAttempt(
  email: string,
  address: string,
): Promise<AttemptVerdict> {
  const l = limiters();
  for (const [limiter, key] of [
    [l.accountFromAddress, `${email}\n${address}`],
    [l.address, address],
    [l.account, email],
  ] as const) {
    const verdict = await take(limiter, key);
    if (!verdict.allowed) return verdict;
  }
  return { allowed: true };
}

/** Counts one second-factor code of `userId` before it is checked. */
export function reserveSecondFactorAttempt(userId: string): Promise<AttemptVerdict> {
  return take(limiters().secondFactor, userId);
}

/** A right code: the person's second-factor budget is full again. */
export async function secondFactorClears(userId: string): Promise<void> {
  await limiters().secondFactor.delete(userId);
}

/** After a successful sign-in: the account's attempts no longer count. */
export async function signedInClearsAttempts(email: string, address: string): Promise<void> {
  const l = limiters();
  await Promise.all([l.accountFromAddress.delete(`${email}\n${address}`), l.account.delete(email)]);
}

/** Tests start from full budgets (or smaller ones, to reach a limit quickly). */
export function resetSignInThrottle(budgets?: Budgets): void {
  globalThis.__lullSignInLimiters = create(budgets);
}
