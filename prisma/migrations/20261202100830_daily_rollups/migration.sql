-- CreateTable
CREATE TABLE "EventRollupDay" (
    "workerId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "day" DATETIME NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("workerId", "deviceId", "type", "app", "day")
);

-- CreateIndex
CREATE INDEX "EventRollupDay_workerId_day_type_deviceId_app_count_idx" ON "EventRollupDay"("workerId", "day", "type", "deviceId", "app", "count");

-- Backfill: each day's row is the sum of its hourly rows (ADR 0030). Hours are stored as
-- "YYYY-MM-DDTHH:00:00.000+00:00", so the UTC day is the first ten characters.
INSERT INTO "EventRollupDay" ("workerId", "deviceId", "type", "app", "day", "count")
SELECT "workerId", "deviceId", "type", "app", substr("hour", 1, 10) || 'T00:00:00.000+00:00', SUM("count")
FROM "EventRollup"
GROUP BY "workerId", "deviceId", "type", "app", substr("hour", 1, 10);
