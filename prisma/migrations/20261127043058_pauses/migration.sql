-- CreateTable
CREATE TABLE "Pause" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "endsAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedEarlyAt" DATETIME,
    "cancelledAt" DATETIME,
    "note" TEXT,
    CONSTRAINT "Pause_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Policy" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT DEFAULT 1,
    "orgName" TEXT NOT NULL DEFAULT 'Lull demo organisation',
    "maxPauseMinutes" INTEGER NOT NULL DEFAULT 30,
    "minGapMinutes" INTEGER NOT NULL DEFAULT 15,
    "maxPauseMinutesPerDay" INTEGER,
    "scheduleAheadDays" INTEGER NOT NULL DEFAULT 14,
    "updatedAt" DATETIME NOT NULL,
    "updatedById" TEXT
);
INSERT INTO "new_Policy" ("id", "orgName", "updatedAt", "updatedById") SELECT "id", "orgName", "updatedAt", "updatedById" FROM "Policy";
DROP TABLE "Policy";
ALTER TABLE "new_Policy" RENAME TO "Policy";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Pause_workerId_startsAt_idx" ON "Pause"("workerId", "startsAt");

-- CreateIndex
CREATE INDEX "Pause_workerId_endsAt_idx" ON "Pause"("workerId", "endsAt");
