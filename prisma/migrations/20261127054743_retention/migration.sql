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
    "retentionDays" INTEGER NOT NULL DEFAULT 90,
    "updatedAt" DATETIME NOT NULL,
    "updatedById" TEXT
);
INSERT INTO "new_Policy" ("id", "maxPauseMinutes", "maxPauseMinutesPerDay", "minGapMinutes", "orgName", "scheduleAheadDays", "updatedAt", "updatedById") SELECT "id", "maxPauseMinutes", "maxPauseMinutesPerDay", "minGapMinutes", "orgName", "scheduleAheadDays", "updatedAt", "updatedById" FROM "Policy";
DROP TABLE "Policy";
ALTER TABLE "new_Policy" RENAME TO "Policy";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
