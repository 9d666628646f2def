import { createCookie, redirect } from "@remix-run/node";
import { z } from "zod";
import { getEnv } from "./env.server.ts";

/**
 * One-shot confirmations ("Ada Lovelace was deactivated") carried across a
 * redirect in a short-lived signed cookie, so they work without JavaScript.
 */
const ToastSchema = z.object({
  kind: z.enum(["success", "error"]),
  message: z.string().max(300),
});
export type Toast = z.infer<typeof ToastSchema>;

let cookie: ReturnType<typeof createCookie> | undefined;
function toastCookie() {
  const env = getEnv();
  // As the session cookie: in production __Host- (Secure, Path=/, no Domain), so a sibling
  // subdomain cannot set or shadow it; plain over http in development.
  cookie ??= createCookie(env.isProduction ? "__Host-lull_toast" : "lull_toast", {
    httpOnly: true,
    sameSite: "lax",
    secure: env.isProduction,
    path: "/",
    secrets: env.sessionSecrets,
    maxAge: 60,
  });
  return cookie;
}

export async function redirectWithToast(url: string, toast: Toast, init: ResponseInit = {}) {
  const headers = new Headers(init.headers);
  headers.append("Set-Cookie", await toastCookie().serialize(toast));
  return redirect(url, { ...init, headers });
}

/** The pending toast, if any, and the header that clears it. */
export async function takeToast(
  request: Request,
): Promise<{ toast: Toast | null; setCookie: string | null }> {
  const raw: unknown = await toastCookie().parse(request.headers.get("Cookie"));
  if (raw === null || raw === undefined || raw === "") return { toast: null, setCookie: null };
  const parsed = ToastSchema.safeParse(raw);
  return {
    toast: parsed.success ? parsed.data : null,
    setCookie: await toastCookie().serialize("", { maxAge: 0, expires: new Date(0) }),
  };
}
