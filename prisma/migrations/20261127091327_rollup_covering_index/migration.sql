-- DropIndex
DROP INDEX "EventRollup_workerId_hour_idx";

-- CreateIndex
CREATE INDEX "EventRollup_workerId_hour_type_deviceId_app_count_idx" ON "EventRollup"("workerId", "hour", "type", "deviceId", "app", "count");
