-- CreateTable
CREATE TABLE "DeviceUsageHour" (
    "deviceId" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "batches" INTEGER NOT NULL DEFAULT 0,
    "events" INTEGER NOT NULL DEFAULT 0,
    "lastAt" DATETIME NOT NULL,

    PRIMARY KEY ("deviceId", "hour"),
    CONSTRAINT "DeviceUsageHour_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeviceResourceHour" (
    "deviceId" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
    "reports" INTEGER NOT NULL,
    "cpuMs" BIGINT NOT NULL,
    "coveredMs" BIGINT NOT NULL,
    "peakRssBytes" BIGINT NOT NULL,
    "lastPeriodStart" DATETIME NOT NULL,
    "lastPeriodEnd" DATETIME NOT NULL,
    "lastCpuMs" BIGINT NOT NULL,
    "lastRssBytes" BIGINT NOT NULL,
    "lastReceivedAt" DATETIME NOT NULL,

    PRIMARY KEY ("deviceId", "hour"),
    CONSTRAINT "DeviceResourceHour_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "DeviceUsageHour_hour_idx" ON "DeviceUsageHour"("hour");

-- CreateIndex
CREATE INDEX "DeviceResourceHour_hour_idx" ON "DeviceResourceHour"("hour");
