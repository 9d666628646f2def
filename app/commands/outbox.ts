/**
 * The after-commit effects a command can ask for. Each is stored as one
 * OutboxMessage row (kind + JSON payload) in the command's transaction and
 * parsed with these schemas when the dispatcher delivers it.
 */
import { z } from "zod";
import { MailSchema } from "#app/utils/mail.server.ts";

export const OutboxPayloads = {
  /** These workers' agents must fetch their state again (or everyone's, after a gate change). */
  "state.changed": z.object({ workerIds: z.array(z.string()), everyone: z.boolean() }),
  /** The device's open streams close; its token already fails. */
  "device.revoked": z.object({ workerId: z.string(), deviceId: z.string() }),
  mail: MailSchema,
  /** A records export was queued: the runner starts at once instead of on its timer. */
  "exports.wake": z.object({}),
} as const;

export type OutboxKind = keyof typeof OutboxPayloads;
export type OutboxEffect = {
  [K in OutboxKind]: { kind: K; payload: z.infer<(typeof OutboxPayloads)[K]> };
}[OutboxKind];

export function parseOutboxEffect(kind: string, payload: string): OutboxEffect {
  if (!(kind in OutboxPayloads)) throw new Error(`Unknown outbox message kind "${kind}"`);
  const schema = OutboxPayloads[kind as OutboxKind];
  return { kind, payload: schema.parse(JSON.parse(payload)) } as OutboxEffect;
}
