/**
 * What a private-application entry may be (ADR 0041): the form's schema and
 * the limits of a list. Matching itself is `privateAppMatcher`
 * (app/agent-protocol/private-apps.ts), shared with the agents.
 */
import { z } from "zod";
import { LIMITS } from "#app/agent-protocol/v1.ts";
import { normalizePattern } from "#app/agent-protocol/private-apps.ts";

/** Entries one list may hold: a worker's own, or the organisation's. */
export const MAX_PRIVATE_APPS_PER_LIST = 100;

export const PrivateAppLabelSchema = z
  .string({ required_error: "Enter an application name or pattern." })
  .trim()
  .min(1, "Enter an application name or pattern.")
  .max(
    LIMITS.maxPrivateAppPatternLength,
    `An application name or pattern is at most ${LIMITS.maxPrivateAppPatternLength} characters.`,
  )
  .refine((label) => normalizePattern(label).replace(/\*/g, "").trim() !== "", {
    message:
      "A pattern must name something besides * (a * alone would stop all collection: ask for an exemption instead).",
  })
  .refine((label) => ![...label].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    message: "An application name cannot contain control characters.",
  });

export const AddPrivateAppSchema = z.object({
  intent: z.literal("add"),
  app: PrivateAppLabelSchema,
});

export const PrivateAppIdSchema = z.object({
  intent: z.enum(["remove", "purge"]),
  id: z.string().min(1).max(100),
});

/** The confirm step's key (ADR 0027) of deleting an entry's stored events. */
export function purgePrivateAppKey(id: string): string {
  return `purge-private-app:${id}`;
}
