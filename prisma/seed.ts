/**
 * Demo organisation for development and e2e tests. Idempotent: running it
 * again updates the same people instead of adding more. Refuses to run in
 * production. `--if-empty` seeds only a database with no users (npm run setup).
 */
import type { Role } from "../app/domain/roles.ts";
import { prisma } from "../app/utils/db.server.ts";
import { hashPassword } from "../app/utils/password.server.ts";

export const DEMO_PASSWORD = "lull-demo-password";

type Person = { email: string; name: string; role: Role; timezone: string; manager?: string };

const MANAGERS: Person[] = [
  { email: "admin@lull.test", name: "Amara Okafor", role: "ADMIN", timezone: "Europe/London" },
  {
    email: "reviewer@lull.test",
    name: "Rafael Souza",
    role: "REVIEWER",
    timezone: "America/Sao_Paulo",
  },
  {
    email: "hana.kobayashi@lull.test",
    name: "Hana Kobayashi",
    role: "REVIEWER",
    timezone: "Asia/Tokyo",
  },
  {
    email: "marcus.webb@lull.test",
    name: "Marcus Webb",
    role: "WORKER",
    timezone: "America/New_York",
  },
];

const WORKERS: Person[] = [
  {
    email: "worker@lull.test",
    name: "Wren Castellanos",
    role: "WORKER",
    timezone: "Europe/Berlin",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "priya.nair@lull.test",
    name: "Priya Nair",
    role: "WORKER",
    timezone: "Asia/Kolkata",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "tomasz.nowak@lull.test",
    name: "Tomasz Nowak",
    role: "WORKER",
    timezone: "Europe/Warsaw",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "lucia.fernandez@lull.test",
    name: "Lucía Fernández",
    role: "WORKER",
    timezone: "Europe/Madrid",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "kwame.mensah@lull.test",
    name: "Kwame Mensah",
    role: "WORKER",
    timezone: "Africa/Accra",
    manager: "reviewer@lull.test",
  },
  {
    email: "sofia.rossi@lull.test",
    name: "Sofia Rossi",
    role: "WORKER",
    timezone: "Europe/Rome",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "daniel.kim@lull.test",
    name: "Daniel Kim",
    role: "WORKER",
    timezone: "America/Los_Angeles",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "aisha.rahman@lull.test",
    name: "Aisha Rahman",
    role: "WORKER",
    timezone: "Asia/Dhaka",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "liam.obrien@lull.test",
    name: "Liam O'Brien",
    role: "WORKER",
    timezone: "Europe/Dublin",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "mei.chen@lull.test",
    name: "Mei Chen",
    role: "WORKER",
    timezone: "Asia/Shanghai",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "olusegun.adeyemi@lull.test",
    name: "Olusegun Adeyemi",
    role: "WORKER",
    timezone: "Africa/Lagos",
    manager: "reviewer@lull.test",
  },
  {
    email: "emma.johansson@lull.test",
    name: "Emma Johansson",
    role: "WORKER",
    timezone: "Europe/Stockholm",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "diego.ramirez@lull.test",
    name: "Diego Ramírez",
    role: "WORKER",
    timezone: "America/Mexico_City",
    manager: "reviewer@lull.test",
  },
  {
    email: "fatima.zahra@lull.test",
    name: "Fatima Zahra",
    role: "WORKER",
    timezone: "Africa/Casablanca",
    manager: "reviewer@lull.test",
  },
  {
    email: "noah.williams@lull.test",
    name: "Noah Williams",
    role: "WORKER",
    timezone: "Australia/Sydney",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "yuki.tanaka@lull.test",
    name: "Yuki Tanaka",
    role: "WORKER",
    timezone: "Asia/Tokyo",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "grace.mwangi@lull.test",
    name: "Grace Mwangi",
    role: "WORKER",
    timezone: "Africa/Nairobi",
    manager: "reviewer@lull.test",
  },
  {
    email: "ethan.brown@lull.test",
    name: "Ethan Brown",
    role: "WORKER",
    timezone: "America/Chicago",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "ines.dubois@lull.test",
    name: "Inès Dubois",
    role: "WORKER",
    timezone: "Europe/Paris",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "arjun.patel@lull.test",
    name: "Arjun Patel",
    role: "WORKER",
    timezone: "Asia/Kolkata",
    manager: "hana.kobayashi@lull.test",
  },
  {
    email: "chloe.martin@lull.test",
    name: "Chloé Martin",
    role: "WORKER",
    timezone: "America/Toronto",
    manager: "marcus.webb@lull.test",
  },
  {
    email: "mateo.silva@lull.test",
    name: "Mateo Silva",
    role: "WORKER",
    timezone: "America/Sao_Paulo",
    manager: "reviewer@lull.test",
  },
  {
    email: "leila.haddad@lull.test",
    name: "Leila Haddad",
    role: "WORKER",
    timezone: "Asia/Dubai",
    manager: "reviewer@lull.test",
  },
  {
    email: "oscar.lindqvist@lull.test",
    name: "Oscar Lindqvist",
    role: "WORKER",
    timezone: "Pacific/Auckland",
    manager: "hana.kobayashi@lull.test",
  },
];

export const DEMO_PEOPLE: readonly Person[] = [...MANAGERS, ...WORKERS];

export async function seed(): Promise<void> {
  if (process.env.NODE_ENV === "production") {
    throw new Error(
      "Refusing to seed demo accounts into a production database (NODE_ENV=production).",
    );
  }
  const ids = new Map<string, string>();
  for (const person of DEMO_PEOPLE) {
    const hash = await hashPassword(DEMO_PASSWORD);
    const user = await prisma.user.upsert({
      where: { email: person.email },
      create: {
        email: person.email,
        name: person.name,
        role: person.role,
        timezone: person.timezone,
        password: { create: { hash } },
      },
      update: {
        name: person.name,
        role: person.role,
        timezone: person.timezone,
        deactivatedAt: null,
        password: { upsert: { create: { hash }, update: { hash } } },
      },
      select: { id: true },
    });
    ids.set(person.email, user.id);
  }
  for (const person of DEMO_PEOPLE) {
    await prisma.user.update({
      where: { email: person.email },
      data: { managerId: person.manager ? (ids.get(person.manager) ?? null) : null },
    });
  }
}

async function main() {
  const ifEmpty = process.argv.includes("--if-empty");
  if (ifEmpty && (await prisma.user.count()) > 0) {
    console.log(
      "Database already has users; not seeding (run `npm run seed` to refresh the demo data).",
    );
    return;
  }
  await seed();
  console.log(
    `Seeded ${DEMO_PEOPLE.length} demo accounts. Sign in as worker@lull.test, reviewer@lull.test or admin@lull.test with the password ${DEMO_PASSWORD}.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main()
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    })
    .finally(() => prisma.$disconnect());
}
