import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { loader as peopleLoader } from "#app/routes/admin.users._index.tsx";
import { prisma } from "#app/utils/db.server.ts";
import { createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

type PeoplePage = {
  total: number;
  people: { name: string; email: string; role: string; manager: string | null; active: boolean }[];
};

/** The admin's people search, as the page asks for it. */
async function search(cookie: string, q: string, role = ""): Promise<PeoplePage> {
  const res = await callRoute(
    peopleLoader,
    getRequest(`/admin/users?${new URLSearchParams({ q, role })}`, { cookie }),
  );
  expect(res.status).toBe(200);
  return res.data as PeoplePage;
}

describe("the people search takes LIKE wildcards literally", () => {
  test("searching for % or _ finds only names or emails containing that character", async () => {
    // A tag of our own keeps this test's people apart from anyone else in the database.
    const tag = randomUUID().slice(0, 8);
    const admin = await createUser({ role: "ADMIN", name: `Admin ${tag}` });
    const cookie = await sessionCookieFor(admin.id);
    await createUser({ name: `Ada 100% ${tag}`, email: `ada-${tag}@example.test` });
    await createUser({ name: `Bo ${tag}`, email: `bo_x-${tag}@example.test` });
    await createUser({ name: `Cy ${tag}`, email: `cy-${tag}@example.test` });

    const names = async (q: string) => (await search(cookie, q)).people.map((p) => p.name).sort();

    expect(await names(`% ${tag}`)).toEqual([`Ada 100% ${tag}`]);
    expect(await names(`Ada 1_0`)).toEqual([]);
    expect(await names(`_x-${tag}`)).toEqual([`Bo ${tag}`]);
    // Unescaped, "_" would match any character and "%" anything at all.
    expect(await names(`y_${tag}`)).toEqual([]);
    expect(await names(`C%${tag}`)).toEqual([]);
    // Plain words still match anywhere, case-insensitively for ASCII as before.
    expect(await names(`cy ${tag}`)).toEqual([`Cy ${tag}`]);
  });

  test("a backslash is an ordinary character too", async () => {
    const tag = randomUUID().slice(0, 8);
    const admin = await createUser({ role: "ADMIN", name: `Admin ${tag}` });
    const cookie = await sessionCookieFor(admin.id);
    await createUser({ name: `Dee \\ ${tag}` });
    await createUser({ name: `Eve ${tag}` });
    expect((await search(cookie, `\\ ${tag}`)).people.map((p) => p.name)).toEqual([
      `Dee \\ ${tag}`,
    ]);
    expect((await search(cookie, `\\%${tag}`)).people).toEqual([]);
  });
});

describe("the people search still", () => {
  test("filters by role and shows each person's manager and status", async () => {
    const tag = randomUUID().slice(0, 8);
    const admin = await createUser({ role: "ADMIN", name: `Admin ${tag}` });
    const cookie = await sessionCookieFor(admin.id);
    const manager = await createUser({ role: "REVIEWER", name: `Mia ${tag}` });
    const report = await createUser({ name: `Ned ${tag}` });
    await prisma.user.update({
      where: { id: report.id },
      data: { managerId: manager.id, deactivatedAt: new Date() },
    });

    const everyone = await search(cookie, tag);
    expect(everyone.total).toBe(3);
    expect(everyone.people.map((p) => [p.name, p.manager, p.active])).toEqual([
      [`Admin ${tag}`, null, true],
      [`Mia ${tag}`, null, true],
      [`Ned ${tag}`, `Mia ${tag}`, false],
    ]);
    const reviewers = await search(cookie, tag, "REVIEWER");
    expect(reviewers.people.map((p) => [p.name, p.role])).toEqual([[`Mia ${tag}`, "Reviewer"]]);
  });
});
