/**
 * The sign-in throttle under real concurrency, against the built server:
 * attempts are counted before their password is checked, so a burst of
 * parallel requests cannot slip past the limit.
 */
import { DEMO_PASSWORD, expect, test } from "./fixtures.ts";

test.use({ ownServer: true });

const ACCOUNT = "worker@lull.test";

test("100 parallel sign-ins for one account from one address: 5 are checked, 95 get 429, the right password among them does not get in", async ({
  request,
  baseURL,
}) => {
  const attempt = (password: string, address: string) =>
    request.post("/login", {
      form: { email: ACCOUNT, password },
      headers: { Origin: baseURL!, "X-Forwarded-For": address },
      maxRedirects: 0,
    });
  const answers = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      attempt(i === 99 ? DEMO_PASSWORD : `wrong-${i}`, "203.0.113.50"),
    ),
  );
  const statuses = answers.map((a) => a.status());
  expect(statuses.filter((s) => s === 429)).toHaveLength(95);
  expect(statuses.filter((s) => s !== 429).every((s) => s === 400 || s === 302)).toBe(true);
  const limited = answers.find((a) => a.status() === 429)!;
  expect(Number(limited.headers()["retry-after"])).toBeGreaterThan(0);

  // 300 more in parallel, all wrong: none is checked.
  const more = await Promise.all(
    Array.from({ length: 300 }, (_, i) => attempt(`again-${i}`, "203.0.113.50")),
  );
  expect(more.every((a) => a.status() === 429)).toBe(true);

  // The person, at their own address, is not held up.
  const person = await attempt(DEMO_PASSWORD, "198.51.100.77");
  expect(person.status()).toBe(302);
});
