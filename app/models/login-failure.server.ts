import { LOGIN_THROTTLE } from "#app/domain/login-throttle.ts";
import { prisma } from "#app/utils/db.server.ts";

/** Failure times (ms) within the throttle window for one email and one IP. */
export async function recentLoginFailures(email: string, ip: string, now: Date) {
  const since = new Date(now.getTime() - LOGIN_THROTTLE.windowMs);
  const [byEmail, byIp] = await Promise.all([
    prisma.loginFailure.findMany({
      where: { email, at: { gt: since } },
      select: { at: true },
      orderBy: { at: "desc" },
      take: LOGIN_THROTTLE.maxFailures,
    }),
    prisma.loginFailure.findMany({
      where: { ip, at: { gt: since } },
      select: { at: true },
      orderBy: { at: "desc" },
      take: LOGIN_THROTTLE.maxFailures,
    }),
  ]);
  return {
    email: byEmail.map((f) => f.at.getTime()),
    ip: byIp.map((f) => f.at.getTime()),
  };
}

/** Records one failure and forgets those too old to matter. */
export async function recordLoginFailure(email: string, ip: string, now: Date) {
  const expired = new Date(now.getTime() - LOGIN_THROTTLE.windowMs);
  await prisma.$transaction([
    prisma.loginFailure.deleteMany({ where: { at: { lte: expired } } }),
    prisma.loginFailure.create({ data: { email, ip, at: now } }),
  ]);
}

export function clearLoginFailuresForEmail(email: string) {
  return prisma.loginFailure.deleteMany({ where: { email } });
}
