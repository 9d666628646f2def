-- CreateTable
CREATE TABLE "PolicyDocument" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "contentSha256" TEXT,
    "summaryOfChanges" TEXT,
    "requiresAcknowledgement" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT,
    "publishedAt" DATETIME,
    "publishedById" TEXT,
    CONSTRAINT "PolicyDocument_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "PolicyDocument_publishedById_fkey" FOREIGN KEY ("publishedById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Acknowledgement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "contentSha256" TEXT NOT NULL,
    "signedName" TEXT NOT NULL,
    "signedAt" DATETIME NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    "receipt" TEXT NOT NULL,
    CONSTRAINT "Acknowledgement_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Acknowledgement_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "PolicyDocument" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Device" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "agentVersion" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME,
    "lastStateVersion" INTEGER,
    "revokedAt" DATETIME,
    "storedEvents" INTEGER NOT NULL DEFAULT 0,
    "discardedPaused" INTEGER NOT NULL DEFAULT 0,
    "discardedExempt" INTEGER NOT NULL DEFAULT 0,
    "discardedUnacknowledged" INTEGER NOT NULL DEFAULT 0,
    "rejectedFuture" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Device_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Device" ("agentVersion", "createdAt", "discardedExempt", "discardedPaused", "id", "lastSeenAt", "lastStateVersion", "name", "platform", "rejectedFuture", "revokedAt", "storedEvents", "tokenHash", "workerId") SELECT "agentVersion", "createdAt", "discardedExempt", "discardedPaused", "id", "lastSeenAt", "lastStateVersion", "name", "platform", "rejectedFuture", "revokedAt", "storedEvents", "tokenHash", "workerId" FROM "Device";
DROP TABLE "Device";
ALTER TABLE "new_Device" RENAME TO "Device";
CREATE UNIQUE INDEX "Device_tokenHash_key" ON "Device"("tokenHash");
CREATE INDEX "Device_workerId_idx" ON "Device"("workerId");
CREATE TABLE "new_Policy" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT DEFAULT 1,
    "orgName" TEXT NOT NULL DEFAULT 'Lull demo organisation',
    "maxPauseMinutes" INTEGER NOT NULL DEFAULT 30,
    "minGapMinutes" INTEGER NOT NULL DEFAULT 15,
    "maxPauseMinutesPerDay" INTEGER,
    "scheduleAheadDays" INTEGER NOT NULL DEFAULT 14,
    "retentionDays" INTEGER NOT NULL DEFAULT 90,
    "maxExemptionDays" INTEGER NOT NULL DEFAULT 90,
    "requireAcknowledgementBeforeCollection" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL,
    "updatedById" TEXT
);
INSERT INTO "new_Policy" ("id", "maxExemptionDays", "maxPauseMinutes", "maxPauseMinutesPerDay", "minGapMinutes", "orgName", "retentionDays", "scheduleAheadDays", "updatedAt", "updatedById") SELECT "id", "maxExemptionDays", "maxPauseMinutes", "maxPauseMinutesPerDay", "minGapMinutes", "orgName", "retentionDays", "scheduleAheadDays", "updatedAt", "updatedById" FROM "Policy";
DROP TABLE "Policy";
ALTER TABLE "new_Policy" RENAME TO "Policy";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "PolicyDocument_publishedAt_idx" ON "PolicyDocument"("publishedAt");

-- CreateIndex
CREATE UNIQUE INDEX "PolicyDocument_slug_version_key" ON "PolicyDocument"("slug", "version");

-- CreateIndex
CREATE INDEX "Acknowledgement_documentId_idx" ON "Acknowledgement"("documentId");

-- CreateIndex
CREATE UNIQUE INDEX "Acknowledgement_workerId_documentId_key" ON "Acknowledgement"("workerId", "documentId");

-- A published document version never changes and is never deleted: a change is a new version.
CREATE TRIGGER "PolicyDocument_published_immutable" BEFORE UPDATE ON "PolicyDocument"
WHEN OLD."publishedAt" IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'A published PolicyDocument is immutable');
END;

CREATE TRIGGER "PolicyDocument_published_undeletable" BEFORE DELETE ON "PolicyDocument"
WHEN OLD."publishedAt" IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'A published PolicyDocument is immutable');
END;

-- Acknowledgements are append-only.
CREATE TRIGGER "Acknowledgement_append_only_update" BEFORE UPDATE ON "Acknowledgement"
BEGIN
    SELECT RAISE(ABORT, 'Acknowledgement is append-only');
END;

CREATE TRIGGER "Acknowledgement_append_only_delete" BEFORE DELETE ON "Acknowledgement"
BEGIN
    SELECT RAISE(ABORT, 'Acknowledgement is append-only');
END;
