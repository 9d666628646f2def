-- CreateTable
CREATE TABLE "UserImport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "actorId" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    "rolledBackAt" DATETIME,
    "rows" INTEGER NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OutboxMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "failedAt" DATETIME,
    "importId" TEXT,
    CONSTRAINT "OutboxMessage_importId_fkey" FOREIGN KEY ("importId") REFERENCES "UserImport" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_OutboxMessage" ("attempts", "createdAt", "failedAt", "id", "kind", "lastError", "payload") SELECT "attempts", "createdAt", "failedAt", "id", "kind", "lastError", "payload" FROM "OutboxMessage";
DROP TABLE "OutboxMessage";
ALTER TABLE "new_OutboxMessage" RENAME TO "OutboxMessage";
CREATE INDEX "OutboxMessage_failedAt_id_idx" ON "OutboxMessage"("failedAt", "id");
CREATE INDEX "OutboxMessage_importId_idx" ON "OutboxMessage"("importId");
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'WORKER',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "managerId" TEXT,
    "deactivatedAt" DATETIME,
    "stateVersion" INTEGER NOT NULL DEFAULT 1,
    "stateVersionAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "importId" TEXT,
    CONSTRAINT "User_managerId_fkey" FOREIGN KEY ("managerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "User_importId_fkey" FOREIGN KEY ("importId") REFERENCES "UserImport" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_User" ("createdAt", "deactivatedAt", "email", "id", "managerId", "name", "role", "stateVersion", "stateVersionAt", "timezone", "updatedAt") SELECT "createdAt", "deactivatedAt", "email", "id", "managerId", "name", "role", "stateVersion", "stateVersionAt", "timezone", "updatedAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE INDEX "User_managerId_idx" ON "User"("managerId");
CREATE INDEX "User_importId_idx" ON "User"("importId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- The audit trail stays append-only, with one exception: the events of an
-- import that never finished (its people are removed again with them, ADR 0016).
DROP TRIGGER "AuditEvent_append_only_delete";
CREATE TRIGGER "AuditEvent_append_only_delete" BEFORE DELETE ON "AuditEvent"
WHEN NOT EXISTS (
    SELECT 1 FROM "User" u JOIN "UserImport" i ON i."id" = u."importId"
    WHERE u."id" = OLD."subjectUserId" AND i."finishedAt" IS NULL
)
BEGIN
    SELECT RAISE(ABORT, 'AuditEvent is append-only');
END;
