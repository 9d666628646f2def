import type { AuditAction } from "#app/domain/audit-actions.ts";
import type { Tx } from "./db.server.ts";

/**
 * Audit events are written inside the same transaction as the change they
 * record, so there is never a change without its event or an event without
 * its change. Metadata must never contain secrets (passwords, tokens).
 */
export type AuditEventInput = {
  actorId: string | null;
  subjectUserId: string | null;
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
  at?: Date;
  /**
   * The purpose version named for an access to the subject's data by someone
   * else (ADR 0042); the worker's access log shows it.
   */
  purposeId?: string;
};

export async function recordAuditEvent(tx: Tx, event: AuditEventInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: event.actorId,
      subjectUserId: event.subjectUserId,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      metadata: JSON.stringify(event.metadata ?? {}),
      purposeId: event.purposeId ?? null,
      ...(event.at ? { at: event.at } : {}),
    },
  });
}

/** Many audit events in one statement (a dataset build's one entry per worker). */
export async function recordAuditEvents(tx: Tx, events: readonly AuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tx.auditEvent.createMany({
    data: events.map((event) => ({
      actorId: event.actorId,
      subjectUserId: event.subjectUserId,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      metadata: JSON.stringify(event.metadata ?? {}),
      purposeId: event.purposeId ?? null,
      ...(event.at ? { at: event.at } : {}),
    })),
  });
}
