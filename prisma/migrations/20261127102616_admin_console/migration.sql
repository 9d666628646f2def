-- AlterTable
ALTER TABLE "User" ADD COLUMN "stateVersionAt" DATETIME;

-- CreateTable
CREATE TABLE "PasswordSetupToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    CONSTRAINT "PasswordSetupToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ExceptionalAccess" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "adminId" TEXT NOT NULL,
    "workerId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "ExceptionalAccess_adminId_fkey" FOREIGN KEY ("adminId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ExceptionalAccess_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "IngestDay" (
    "day" TEXT NOT NULL PRIMARY KEY,
    "stored" INTEGER NOT NULL DEFAULT 0,
    "discardedPaused" INTEGER NOT NULL DEFAULT 0,
    "discardedExempt" INTEGER NOT NULL DEFAULT 0,
    "discardedUnacknowledged" INTEGER NOT NULL DEFAULT 0,
    "rejectedFuture" INTEGER NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE UNIQUE INDEX "PasswordSetupToken_tokenHash_key" ON "PasswordSetupToken"("tokenHash");

-- CreateIndex
CREATE INDEX "PasswordSetupToken_userId_idx" ON "PasswordSetupToken"("userId");

-- CreateIndex
CREATE INDEX "ExceptionalAccess_workerId_createdAt_idx" ON "ExceptionalAccess"("workerId", "createdAt");

-- CreateIndex
CREATE INDEX "ExceptionalAccess_adminId_createdAt_idx" ON "ExceptionalAccess"("adminId", "createdAt");
