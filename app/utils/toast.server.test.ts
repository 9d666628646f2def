import { afterEach, describe, expect, test, vi } from "vitest";

/** The toast module as a server started with `NODE_ENV` (each import reads the environment anew). */
async function toastModuleIn(nodeEnv: "production" | "development") {
  vi.resetModules();
  vi.stubEnv("NODE_ENV", nodeEnv);
  vi.stubEnv("SESSION_SECRET", "s".repeat(40));
  return import("./toast.server.ts");
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("the toast cookie", () => {
  test("in production is a __Host- cookie: Secure, Path=/, no Domain, and read back", async () => {
    const { redirectWithToast, takeToast } = await toastModuleIn("production");
    const res = await redirectWithToast("/pauses", { kind: "success", message: "Paused." });
    const setCookie = res.headers.get("Set-Cookie")!;
    expect(setCookie).toMatch(/^__Host-lull_toast=/);
    expect(setCookie).toMatch(/; Secure/i);
    expect(setCookie).toMatch(/; Path=\//i);
    expect(setCookie).not.toMatch(/Domain=/i);
    expect(setCookie).toMatch(/HttpOnly/i);

    const request = new Request("https://lull.example/pauses", {
      headers: { Cookie: setCookie.split(";")[0]! },
    });
    const taken = await takeToast(request);
    expect(taken.toast).toEqual({ kind: "success", message: "Paused." });
    expect(taken.setCookie).toMatch(/^__Host-lull_toast=;/);
  });

  test("in production a toast under the plain name is not read, even validly signed", async () => {
    // E.g. planted by a sibling subdomain: it cannot set a __Host- cookie.
    const development = await toastModuleIn("development");
    const planted = await development.redirectWithToast("/", {
      kind: "success",
      message: "Your pauses were cleared.",
    });
    const { takeToast } = await toastModuleIn("production");
    const request = new Request("https://lull.example/", {
      headers: { Cookie: planted.headers.get("Set-Cookie")!.split(";")[0]! },
    });
    expect((await takeToast(request)).toast).toBeNull();
  });

  test("in development over http it stays a plain cookie without Secure", async () => {
    const { redirectWithToast } = await toastModuleIn("development");
    const res = await redirectWithToast("/", { kind: "success", message: "Done." });
    const setCookie = res.headers.get("Set-Cookie")!;
    expect(setCookie).toMatch(/^lull_toast=/);
    expect(setCookie).not.toMatch(/Secure/i);
  });
});
