-- DropIndex
DROP INDEX "Pause_workerId_startsAt_idx";

-- CreateIndex
CREATE INDEX "Pause_workerId_startsAt_cancelledAt_idx" ON "Pause"("workerId", "startsAt", "cancelledAt");

-- CreateIndex
CREATE INDEX "Pause_startsAt_cancelledAt_endsAt_endedEarlyAt_idx" ON "Pause"("startsAt", "cancelledAt", "endsAt", "endedEarlyAt");
