/**
 * What the seeders share: a seedable PRNG and its draws, cuid-shaped ids,
 * a bench database opened for bulk writing, and enrollment codes made by
 * the app (for agents that enroll through the real API).
 */
import Database from "better-sqlite3";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A cuid-shaped id ("c" + 24 base-36 characters), like Prisma's @default(cuid()). */
export function fakeCuid(random: () => number): string {
  let s = "c";
  while (s.length < 25) s += Math.floor(random() * 36).toString(36);
  return s;
}

export function between(random: () => number, min: number, max: number): number {
  return min + random() * (max - min);
}

/** A standard normal deviate (Box–Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The words of a text, split at white space. */
export function words(text: string): string[] {
  return text.trim().split(/\s+/);
}

/** "windows 55, macos 30" → [["windows", 55], ["macos", 30]], for `weighted`. */
export function weights<T extends string = string>(text: string): [T, number][] {
  return text.split(/,\s*/).map((part) => {
    const at = part.lastIndexOf(" ");
    return [part.slice(0, at) as T, Number(part.slice(at + 1))];
  });
}

/** One of the weighted choices. */
export function weighted<T extends string>(
  random: () => number,
  table: readonly (readonly [T, number])[],
): T {
  const total = table.reduce((n, [, w]) => n + w, 0);
  let r = random() * total;
  for (const [value, w] of table) {
    if (r < w) return value;
    r -= w;
  }
  return table[table.length - 1]![0];
}

/** `total` split over `weights` in whole numbers (largest remainder). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w / sum) * total);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  return counts;
}

/** A migrated bench database opened for seeding: WAL, no fsync (a crash loses the file anyway). */
export function openForSeeding(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true });
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -262144");
  return db;
}

/**
 * One enrollment code per worker, made by the app in this process. Call it
 * before the server starts: writes from here while the server runs its
 * transactions can fail them with SQLITE_BUSY_SNAPSHOT.
 */
export async function enrollmentCodes(workerIds: readonly string[]): Promise<string[]> {
  const { createEnrollmentCode } = await import("#app/models/device.server.ts");
  const { prisma } = await import("#app/utils/db.server.ts");
  const codes: string[] = [];
  for (const id of workerIds) codes.push((await createEnrollmentCode(id, new Date())).code);
  await prisma.$disconnect();
  return codes;
}
