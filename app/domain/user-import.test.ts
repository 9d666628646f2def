import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  checkImport,
  MAX_IMPORT_ROWS,
  PREVIEW_ALL_ROWS,
  PREVIEW_FIRST_ROWS,
  PREVIEW_PROBLEM_ROWS,
  previewOf,
} from "./user-import.ts";

const EXISTING = {
  emails: new Set(["marcus.webb@lull.test", "taken@example.com", "left@example.com"]),
  activeEmails: new Set(["marcus.webb@lull.test", "taken@example.com"]),
};
const HEADER = "name,email,role,manager email,timezone\n";

describe("checkImport (the dry run)", () => {
  test("a good file passes, with defaults for an empty role and time zone", () => {
    const check = checkImport(
      HEADER +
        "Ada Lovelace,Ada@Example.com,Reviewer,marcus.webb@lull.test,Europe/London\n" +
        "Bea Boole,bea@example.com,,ada@example.com,\n",
      EXISTING,
    );
    expect(check.ok).toBe(true);
    expect(check.rows.map((r) => r.person)).toEqual([
      {
        name: "Ada Lovelace",
        email: "ada@example.com",
        role: "REVIEWER",
        managerEmail: "marcus.webb@lull.test",
        timezone: "Europe/London",
      },
      // Her manager is earlier in the same file.
      {
        name: "Bea Boole",
        email: "bea@example.com",
        role: "WORKER",
        managerEmail: "ada@example.com",
        timezone: "UTC",
      },
    ]);
  });

  test("reports every bad row: unknown manager, bad email, duplicate, bad time zone", () => {
    const check = checkImport(
      HEADER +
        "Cy,cy@example.com,Worker,nobody@example.com,UTC\n" +
        "Di,not-an-email,Worker,,UTC\n" +
        "Ed,ed@example.com,Worker,,UTC\n" +
        "Ed again,ED@example.com,Worker,,UTC\n" +
        "Fay,taken@example.com,Worker,,UTC\n" +
        "Gus,gus@example.com,Worker,,Mars/Olympus\n" +
        "Hal,hal@example.com,Owner,,UTC\n",
      EXISTING,
    );
    expect(check.ok).toBe(false);
    expect(check.rows.map((r) => [r.line, r.errors])).toEqual([
      [
        2,
        ["Manager email: nobody with nobody@example.com has an active account or is in this file."],
      ],
      [3, ["Email: Enter an email address like name@company.com."]],
      [4, []],
      [5, ["Email: ed@example.com is also on line 4."]],
      [6, ["Email: taken@example.com already has an account."]],
      [7, ["Time zone: That is not a time zone; use a name such as Europe/Berlin or UTC."]],
      [8, ["Role: The role must be Worker, Reviewer or Admin."]],
    ]);
  });

  test("one row can have several problems, all listed", () => {
    const check = checkImport(HEADER + ",bad,Boss,x@y,Nowhere/Place\n", EXISTING);
    expect(check.rows[0]!.errors).toEqual([
      "Name: Enter the person's name.",
      "Email: Enter an email address like name@company.com.",
      "Role: The role must be Worker, Reviewer or Admin.",
      "Manager email: The manager's email must be an email address, or left empty for no manager.",
      "Time zone: That is not a time zone; use a name such as Europe/Berlin or UTC.",
    ]);
  });

  test("headers ignore case, spaces, underscores and hyphens, in any order", () => {
    const check = checkImport(
      "Email,MANAGER_EMAIL,Name,Time zone\nzed@example.com,,Zed,Asia/Tokyo\n",
      EXISTING,
    );
    expect(check.ok).toBe(true);
    expect(check.rows[0]!.person?.timezone).toBe("Asia/Tokyo");
    expect(checkImport("name,EMAIL,ManagerEmail,time_zone\nA,a@x.io,,UTC\n", EXISTING).ok).toBe(
      true,
    );
    expect(check.rows[0]!.person).toMatchObject({ name: "Zed", email: "zed@example.com" });
  });

  test("problems with the file as a whole come first and stop the row checks", () => {
    expect(checkImport("", EXISTING).fileErrors[0]).toMatch(/The file is empty/);
    expect(checkImport("name,role\nAda,Worker\n", EXISTING).fileErrors).toEqual([
      "The first line must name the columns (name, email, role, manager email, timezone); missing: email.",
    ]);
    expect(checkImport("name,email,shoe size\n", EXISTING).fileErrors).toEqual([
      "Unknown columns: shoe size.",
      "The file has a header but no people.",
    ]);
    expect(checkImport('name,email\n"Ada,ada@example.com\n', EXISTING).fileErrors).toEqual([
      "Line 2: a quoted value is never closed.",
    ]);
    const big =
      HEADER +
      Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `P${i},p${i}@example.com,,,`).join(
        "\n",
      );
    expect(checkImport(big, EXISTING).fileErrors).toEqual([
      "The file has 10,001 people; import at most 10,000 at a time.",
    ]);
  });

  test("a manager must be active, and managers in the file must not go round in a circle", () => {
    const check = checkImport(
      HEADER +
        "Jo,jo@example.com,,left@example.com,UTC\n" +
        "Kai,kai@example.com,,lee@example.com,UTC\n" +
        "Lee,lee@example.com,,kai@example.com,UTC\n",
      EXISTING,
    );
    expect(check.rows.map((r) => r.errors)).toEqual([
      ["Manager email: nobody with left@example.com has an active account or is in this file."],
      ["Manager email: the managers in this file go round in a circle."],
      ["Manager email: the managers in this file go round in a circle."],
    ]);
  });

  test("only the people in a circle are told so, not those whose managers lead into it", () => {
    const check = checkImport(
      HEADER +
        "Tail,tail@example.com,,one@example.com,UTC\n" +
        "One,one@example.com,,two@example.com,UTC\n" +
        "Two,two@example.com,,three@example.com,UTC\n" +
        "Three,three@example.com,,one@example.com,UTC\n",
      EXISTING,
    );
    const circle = ["Manager email: the managers in this file go round in a circle."];
    expect(check.rows.map((r) => r.errors)).toEqual([[], circle, circle, circle]);
  });

  test("a person cannot manage themself, and extra values on a line are reported", () => {
    const check = checkImport(
      HEADER + "Ike,ike@example.com,,ike@example.com,UTC,extra\n",
      EXISTING,
    );
    expect(check.rows[0]!.errors).toEqual([
      "This line has 6 values for 5 columns.",
      "Manager email: a person cannot manage themself.",
    ]);
  });
});

describe("previewOf", () => {
  const existing = { emails: new Set<string>(), activeEmails: new Set<string>() };
  const fileOf = (n: number, bad: (i: number) => boolean) =>
    [
      "name,email",
      ...Array.from({ length: n }, (_, i) => `P ${i},${bad(i) ? "not-an-email" : `p${i}@x.test`}`),
    ].join("\n");

  test("shows every row of a short file", () => {
    const preview = previewOf(
      checkImport(
        fileOf(PREVIEW_ALL_ROWS, (i) => i === 7),
        existing,
      ),
    );
    expect(preview).toMatchObject({ total: PREVIEW_ALL_ROWS, withProblems: 1, ok: false });
    expect(preview.rows).toHaveLength(PREVIEW_ALL_ROWS);
  });

  test("of a long file: the first rows and every row with a problem (up to the cap), in line order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: PREVIEW_ALL_ROWS + 1, max: 2000 }),
        fc.integer({ min: 2, max: 97 }),
        (n, every) => {
          const bad = (i: number) => i % every === 0;
          const check = checkImport(fileOf(n, bad), existing);
          const preview = previewOf(check);
          const problems = check.rows.filter((r) => r.errors.length > 0);
          expect(preview.total).toBe(n);
          expect(preview.withProblems).toBe(problems.length);
          const lines = preview.rows.map((r) => r.line);
          expect(lines).toEqual([...lines].sort((a, b) => a - b));
          for (const r of check.rows.slice(0, PREVIEW_FIRST_ROWS)) expect(lines).toContain(r.line);
          for (const r of problems.slice(0, PREVIEW_PROBLEM_ROWS)) expect(lines).toContain(r.line);
          expect(preview.rows.length).toBeLessThanOrEqual(
            PREVIEW_FIRST_ROWS + PREVIEW_PROBLEM_ROWS,
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});
