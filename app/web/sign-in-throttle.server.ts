import { SECOND_FACTOR_BUDGET, SIGN_IN_BUDGETS } from "#app/domain/login-throttle.ts";
import {
  createRateLimiter,
  type RateLimiter,
  type RateVerdict,
} from "#app/utils/rate-limit.server.ts";

/*
 * The sign-in budgets (app/domain/login-throttle.ts) as rate-limiter-flexible
 * limiters (ADR 0020, ADR 0036). On SQLite in memory: one process serves the
 * database, and each consume is counted synchronously, so no two attempts can
 * both take the last point however many run at once. On PostgreSQL in the
 * database, one atomic upsert per attempt, so the budgets hold across nodes.
 */

type Limiters = {
  accountFromAddress: RateLimiter;
  address: RateLimiter;
  account: RateLimiter;
  secondFactor: RateLimiter;
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

/** Budgets made again by a test start afresh, also in the shared table. */
let generation = 0;

function create(budgets: Budgets = SIGN_IN_BUDGETS): Limiters {
  generation++;
  const of = (name: string, { attempts, perSeconds }: Budget) =>
    createRateLimiter({
      name: generation === 1 ? name : `${name}.${generation}`,
      limit: attempts,
      windowMs: perSeconds * 1000,
    });
  return {
    accountFromAddress: of("sign-in.account-address", budgets.accountFromAddress),
    address: of("sign-in.address", budgets.address),
    account: of("sign-in.account", budgets.account),
    secondFactor: of("sign-in.second-factor", budgets.secondFactor ?? SECOND_FACTOR_BUDGET),
  };
}

function limiters(): Limiters {
  globalThis.__lullSignInLimiters ??= create();
  return globalThis.__lullSignInLimiters;
}

export type AttemptVerdict = RateVerdict;

function take(limiter: RateLimiter, key: string): Promise<AttemptVerdict> {
  return limiter.hit(key);
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
  await limiters().secondFactor.clear(userId);
}

/** After a successful sign-in: the account's attempts no longer count. */
export async function signedInClearsAttempts(email: string, address: string): Promise<void> {
  const l = limiters();
  await Promise.all([l.accountFromAddress.clear(`${email}\n${address}`), l.account.clear(email)]);
}

/** Tests start from full budgets (or smaller ones, to reach a limit quickly). */
export function resetSignInThrottle(budgets?: Budgets): void {
  globalThis.__lullSignInLimiters = create(budgets);
}
