-- CreateTable
CREATE TABLE "Forget" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "endsAt" DATETIME NOT NULL,
    "minutes" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Forget_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PrivateApp" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT,
    "pattern" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT,
    CONSTRAINT "PrivateApp_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeletionReceipt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "spanStart" DATETIME,
    "spanEnd" DATETIME,
    "app" TEXT,
    "events" INTEGER NOT NULL,
    "hourlyRollups" INTEGER NOT NULL,
    "dailyRollups" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "receipt" TEXT NOT NULL,
    CONSTRAINT "DeletionReceipt_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PrivacyDiscardDay" (
    "day" TEXT NOT NULL,
    "workerId" TEXT NOT NULL,
    "forgotten" INTEGER NOT NULL DEFAULT 0,
    "privateApp" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("day", "workerId")
);

-- AlterTable (in place: a redefinition would be the same table with two more columns)
ALTER TABLE "Device" ADD COLUMN "discardedForgotten" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Device" ADD COLUMN "discardedPrivateApp" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Policy" ADD COLUMN "maxForgetMinutes" INTEGER NOT NULL DEFAULT 30;
ALTER TABLE "Policy" ADD COLUMN "maxForgetsPerDay" INTEGER NOT NULL DEFAULT 3;

-- DeletionReceipt is append-only: no update path exists, and this refuses one
-- (a worker's account removal still removes them through the foreign key's cascade).
CREATE TRIGGER "DeletionReceipt_immutable" BEFORE UPDATE ON "DeletionReceipt"
BEGIN
  SELECT RAISE(ABORT, 'A deletion receipt cannot be changed.');
END;
-- CreateIndex
CREATE INDEX "Forget_workerId_endsAt_idx" ON "Forget"("workerId", "endsAt");

-- CreateIndex
CREATE INDEX "Forget_workerId_createdAt_idx" ON "Forget"("workerId", "createdAt");

-- CreateIndex
CREATE INDEX "Forget_createdAt_workerId_idx" ON "Forget"("createdAt", "workerId");

-- CreateIndex
CREATE UNIQUE INDEX "PrivateApp_workerId_pattern_key" ON "PrivateApp"("workerId", "pattern");

-- CreateIndex
CREATE INDEX "DeletionReceipt_workerId_createdAt_idx" ON "DeletionReceipt"("workerId", "createdAt");

