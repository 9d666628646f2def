import { describe, expect, test } from "vitest";
import { refuse, refuseAll, type Refusal } from "#app/domain/refusal.ts";
import {
  agentRefusal,
  redirectWithRefusal,
  refusalData,
  refusalErrors,
  refusalReply,
  refusalStatus,
} from "./refusal-response.server.ts";

const r = (code: string, field?: string): Refusal =>
  refuse(code, `Because ${code}.`, field).refusal;

/** Stands in for a Conform submission: its reply echoes the options. */
const submission = { reply: (options?: object) => ({ status: "error" as const, ...options }) };

/** What a thrown or returned `data()`/Response carries. */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("nothing was thrown");
}

describe("refusalStatus", () => {
  test.each([
    ["not_found", 404],
    ["forbidden", 403],
    ["conflict", 409],
    ["email_taken", 409],
    ["last_admin", 409],
    ["already_active", 409],
    ["already_deactivated", 409],
    ["account_deactivated", 409],
    ["link_expired", 410],
    ["rate_limited", 429],
    ["export_in_progress", 429],
    ["invalid", 400],
    ["note_required", 400],
    ["pause_started", 400],
    ["invalid_code", 400],
    ["something_new", 400],
  ])("%s → %i", (code, status) => {
    expect(refusalStatus(r(code))).toBe(status);
  });
});

describe("refusalErrors", () => {
  test("a refusal with a field shows on that field, one without above the form", () => {
    expect(refusalErrors(r("email_taken", "email"))).toEqual({
      formErrors: [],
      fieldErrors: { email: ["Because email_taken."] },
    });
    expect(refusalErrors(r("conflict"))).toEqual({
      formErrors: ["Because conflict."],
      fieldErrors: {},
    });
  });

  test("every issue shows, each on its (mapped) field, the summary message not repeated", () => {
    const { refusal } = refuseAll("invalid", [
      { code: "in_past", message: "Too early.", field: "startsAt" },
      { code: "min_gap", message: "Too close.", field: "startsAt" },
      { code: "duration", message: "Too long.", field: "durationMinutes" },
      { code: "other", message: "Something else." },
    ]);
    expect(refusal.message).toBe("Too early. Too close. Too long. Something else.");
    expect(refusalErrors(refusal, (i) => (i.field === "startsAt" ? "time" : i.field))).toEqual({
      formErrors: ["Something else."],
      fieldErrors: { time: ["Too early.", "Too close."], durationMinutes: ["Too long."] },
    });
  });
});

describe("responses", () => {
  test("a form reply carries the errors, the extra keys and the status", () => {
    const reply = refusalReply(submission, r("email_taken", "email"), {
      extra: { created: null },
      hideFields: ["password"],
    });
    expect(reply.init?.status).toBe(409);
    expect(reply.data).toEqual({
      created: null,
      result: {
        status: "error",
        formErrors: [],
        fieldErrors: { email: ["Because email_taken."] },
        hideFields: ["password"],
      },
    });
  });

  test("not_found is thrown as the 404 page by every web helper", async () => {
    for (const run of [
      () => refusalReply(submission, r("not_found")),
      () => refusalData(r("not_found"), {}),
      () => redirectWithRefusal("/", r("not_found")),
    ]) {
      const error = await thrown(run);
      expect(error).toBeInstanceOf(Response);
      expect((error as Response).status).toBe(404);
    }
  });

  test("refusalData answers the body with the refusal's status", () => {
    const reply = refusalData(r("pause_started"), { message: "x" });
    expect(reply.init?.status).toBe(400);
    expect(reply.data).toEqual({ message: "x" });
  });

  test("redirectWithRefusal redirects with an error toast cookie", async () => {
    const res = await redirectWithRefusal("/records", r("rate_limited"));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/records");
    expect(res.headers.get("Set-Cookie")).toMatch(/^lull_toast=/);
  });

  test("the agent API error: the protocol's code, or invalid_request for others; issues as paths", async () => {
    const res = agentRefusal(refuse("invalid_code", "Wrong code.").refusal);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "invalid_code", message: "Wrong code." } });

    const other = agentRefusal(
      refuseAll("invalid", [{ code: "x", message: "Bad.", field: "deviceName" }]).refusal,
      { "Retry-After": "5" },
    );
    expect(other.status).toBe(400);
    expect(other.headers.get("Retry-After")).toBe("5");
    expect(await other.json()).toEqual({
      error: {
        code: "invalid_request",
        message: "Bad.",
        issues: [{ path: "deviceName", message: "Bad." }],
      },
    });
    expect(agentRefusal(r("not_found")).status).toBe(404);
    expect(agentRefusal(r("rate_limited")).status).toBe(429);
  });
});
