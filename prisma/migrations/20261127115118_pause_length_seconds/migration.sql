-- DropIndex
DROP INDEX "Pause_startsAt_cancelledAt_endsAt_endedEarlyAt_idx";

-- AlterTable
ALTER TABLE "Pause" ADD COLUMN "lengthSeconds" INTEGER;

-- CreateIndex
CREATE INDEX "Pause_startsAt_cancelledAt_lengthSeconds_idx" ON "Pause"("startsAt", "cancelledAt", "lengthSeconds");

-- The effective length: to the end, or to the early end when earlier; NULL when it never ran.
-- (The same rule as effectiveInterval in app/domain/pause-policy.ts; a property test holds them
-- together.) Cancelled pauses keep a length, and every query leaves them out.
CREATE TRIGGER "Pause_lengthSeconds_insert" AFTER INSERT ON "Pause"
BEGIN
  UPDATE "Pause" SET "lengthSeconds" = CASE WHEN MIN(NEW."endsAt", COALESCE(NEW."endedEarlyAt", NEW."endsAt")) > NEW."startsAt" THEN CAST(ROUND(
    (julianday(MIN(NEW."endsAt", COALESCE(NEW."endedEarlyAt", NEW."endsAt"))) - julianday(NEW."startsAt")) * 86400
  ) AS INTEGER) END WHERE "id" = NEW."id";
END;

CREATE TRIGGER "Pause_lengthSeconds_update" AFTER UPDATE OF "startsAt", "endsAt", "endedEarlyAt" ON "Pause"
BEGIN
  UPDATE "Pause" SET "lengthSeconds" = CASE WHEN MIN(NEW."endsAt", COALESCE(NEW."endedEarlyAt", NEW."endsAt")) > NEW."startsAt" THEN CAST(ROUND(
    (julianday(MIN(NEW."endsAt", COALESCE(NEW."endedEarlyAt", NEW."endsAt"))) - julianday(NEW."startsAt")) * 86400
  ) AS INTEGER) END WHERE "id" = NEW."id";
END;

-- Pauses stored before this migration.
UPDATE "Pause" SET "lengthSeconds" = CASE WHEN MIN("endsAt", COALESCE("endedEarlyAt", "endsAt")) > "startsAt" THEN CAST(ROUND(
  (julianday(MIN("endsAt", COALESCE("endedEarlyAt", "endsAt"))) - julianday("startsAt")) * 86400
) AS INTEGER) END;
