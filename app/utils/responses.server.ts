/**
 * Thrown from a loader or action when the thing asked for does not exist for
 * this person: someone else's record looks exactly like no record at all.
 */
export function notFound(): never {
  throw new Response("Not found", { status: 404, statusText: "Not Found" });
}
