-- CreateTable
CREATE TABLE "ExemptionRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "justification" TEXT NOT NULL,
    "scopeTypes" TEXT,
    "startsAt" DATETIME NOT NULL,
    "endsAt" DATETIME NOT NULL,
    "recurrenceDays" TEXT,
    "recurrenceStart" TEXT,
    "recurrenceEnd" TEXT,
    "timeZone" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "reviewerId" TEXT,
    "decisionNote" TEXT,
    "decidedAt" DATETIME,
    "endedEarlyAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ExemptionRequest_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ExemptionRequest_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ExemptionStatusChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "actorId" TEXT,
    "note" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ExemptionStatusChange_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ExemptionRequest" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ExemptionStatusChange_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "href" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" DATETIME,
    CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OutboundEmail" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
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
    "retentionDays" INTEGER NOT NULL DEFAULT 90,
    "maxExemptionDays" INTEGER NOT NULL DEFAULT 90,
    "updatedAt" DATETIME NOT NULL,
    "updatedById" TEXT
);
INSERT INTO "new_Policy" ("id", "maxPauseMinutes", "maxPauseMinutesPerDay", "minGapMinutes", "orgName", "retentionDays", "scheduleAheadDays", "updatedAt", "updatedById") SELECT "id", "maxPauseMinutes", "maxPauseMinutesPerDay", "minGapMinutes", "orgName", "retentionDays", "scheduleAheadDays", "updatedAt", "updatedById" FROM "Policy";
DROP TABLE "Policy";
ALTER TABLE "new_Policy" RENAME TO "Policy";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ExemptionRequest_workerId_createdAt_idx" ON "ExemptionRequest"("workerId", "createdAt");

-- CreateIndex
CREATE INDEX "ExemptionRequest_status_createdAt_idx" ON "ExemptionRequest"("status", "createdAt");

-- CreateIndex
CREATE INDEX "ExemptionRequest_workerId_status_endsAt_idx" ON "ExemptionRequest"("workerId", "status", "endsAt");

-- CreateIndex
CREATE INDEX "ExemptionStatusChange_requestId_at_idx" ON "ExemptionStatusChange"("requestId", "at");

-- CreateIndex
CREATE INDEX "Notification_userId_readAt_createdAt_idx" ON "Notification"("userId", "readAt", "createdAt");

-- CreateIndex
CREATE INDEX "OutboundEmail_to_createdAt_idx" ON "OutboundEmail"("to", "createdAt");
