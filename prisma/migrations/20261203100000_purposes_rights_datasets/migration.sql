-- CreateTable
CREATE TABLE "Purpose" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "legalBasis" TEXT NOT NULL,
    "retentionDays" INTEGER NOT NULL,
    "prohibited" BOOLEAN NOT NULL DEFAULT false,
    "retired" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL,
    "createdById" TEXT,
    "effectiveAt" DATETIME,
    "cosignedById" TEXT,
    "cosignedAt" DATETIME
);

-- CreateTable
CREATE TABLE "PolicyChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "before" TEXT NOT NULL,
    "after" TEXT NOT NULL,
    "widens" BOOLEAN NOT NULL,
    "proposedById" TEXT,
    "proposedAt" DATETIME NOT NULL,
    "cosignedById" TEXT,
    "cosignedAt" DATETIME,
    "appliedAt" DATETIME,
    "withdrawnAt" DATETIME
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "purposeId" TEXT NOT NULL,
    "rangeStart" DATETIME NOT NULL,
    "rangeEnd" DATETIME NOT NULL,
    "requestedById" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "heartbeatAt" DATETIME,
    "finishedAt" DATETIME,
    "error" TEXT,
    "workers" INTEGER NOT NULL DEFAULT 0,
    "events" INTEGER NOT NULL DEFAULT 0,
    "bytes" INTEGER,
    "sha256" TEXT,
    "policyVersion" INTEGER,
    "noticeId" TEXT,
    "noticeVersion" INTEGER,
    "manifest" TEXT,
    "fileDeletedAt" DATETIME,
    CONSTRAINT "Dataset_purposeId_fkey" FOREIGN KEY ("purposeId") REFERENCES "Purpose" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Dataset_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DatasetMember" (
    "datasetId" TEXT NOT NULL,
    "workerId" TEXT NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "events" INTEGER NOT NULL,
    "firstAt" DATETIME NOT NULL,
    "lastAt" DATETIME NOT NULL,

    PRIMARY KEY ("datasetId", "workerId"),
    CONSTRAINT "DatasetMember_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DatasetMember_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RightsRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "spanStart" DATETIME,
    "spanEnd" DATETIME,
    "eventId" TEXT,
    "purposeKey" TEXT,
    "details" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "firstDueAt" DATETIME NOT NULL,
    "extendedAt" DATETIME,
    "extensionReason" TEXT,
    "decidedAt" DATETIME,
    "decidedById" TEXT,
    "outcome" TEXT,
    "deletionReceiptId" TEXT,
    "liftedAt" DATETIME,
    CONSTRAINT "RightsRequest_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "RightsRequest_decidedById_fkey" FOREIGN KEY ("decidedById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RightsRequestNote" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "RightsRequestNote_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "RightsRequest" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RightsRequestNote_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- New columns (ADD COLUMN keeps the append-only and immutability triggers of these tables)
ALTER TABLE "AuditEvent" ADD COLUMN "purposeId" TEXT REFERENCES "Purpose" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Policy" ADD COLUMN "requireRepresentativeApproval" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Policy" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "PolicyDocument" ADD COLUMN "cosignedById" TEXT REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PolicyDocument" ADD COLUMN "cosignedAt" DATETIME;
ALTER TABLE "ExceptionalAccess" ADD COLUMN "purposeId" TEXT;
ALTER TABLE "RecordExport" ADD COLUMN "purposeId" TEXT;


-- CreateIndex
CREATE INDEX "Purpose_effectiveAt_idx" ON "Purpose"("effectiveAt");

-- CreateIndex
CREATE UNIQUE INDEX "Purpose_key_version_key" ON "Purpose"("key", "version");

-- CreateIndex
CREATE INDEX "PolicyChange_proposedAt_idx" ON "PolicyChange"("proposedAt");

-- CreateIndex
CREATE INDEX "Dataset_createdAt_idx" ON "Dataset"("createdAt");

-- CreateIndex
CREATE INDEX "Dataset_status_createdAt_idx" ON "Dataset"("status", "createdAt");

-- CreateIndex
CREATE INDEX "DatasetMember_workerId_idx" ON "DatasetMember"("workerId");

-- CreateIndex
CREATE INDEX "RightsRequest_workerId_createdAt_idx" ON "RightsRequest"("workerId", "createdAt");

-- CreateIndex
CREATE INDEX "RightsRequest_status_dueAt_idx" ON "RightsRequest"("status", "dueAt");

-- CreateIndex
CREATE INDEX "RightsRequest_kind_status_idx" ON "RightsRequest"("kind", "status");

-- CreateIndex
CREATE INDEX "RightsRequestNote_requestId_createdAt_idx" ON "RightsRequestNote"("requestId", "createdAt");


-- The purpose registry's first versions (ADR 0042). Performance evaluation and discipline are
-- listed, so workers read that they are ruled out, and can never be named.
INSERT INTO "Purpose" ("id", "key", "version", "name", "description", "legalBasis", "retentionDays", "prohibited", "createdAt", "effectiveAt") VALUES
 ('purpose-ai-training-1', 'ai-training', 1, 'Training AI models', 'Keystroke and mouse-click patterns, without their content, are assembled into pseudonymised datasets to train the company''s AI models.', 'Legitimate interests (GDPR Art. 6(1)(f)), weighed in the data protection impact assessment', 365, false, strftime('%Y-%m-%dT%H:%M:%f+00:00','now'), strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
 ('purpose-exemption-review-1', 'exemption-review', 1, 'Deciding exemption requests', 'A reviewer reads an exemption request and the collection state it concerns, to decide it.', 'Legal obligation and legitimate interests (GDPR Art. 6(1)(c) and (f))', 365, false, strftime('%Y-%m-%dT%H:%M:%f+00:00','now'), strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
 ('purpose-rights-request-1', 'rights-request', 1, 'Handling data-rights requests', 'A reviewer reads the records a correction, erasure, restriction or objection request concerns, to decide it.', 'Legal obligation (GDPR Art. 12 and 16–21)', 1095, false, strftime('%Y-%m-%dT%H:%M:%f+00:00','now'), strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
 ('purpose-records-request-1', 'records-request', 1, 'Answering a records request', 'Staff export a worker''s records when the worker, or the law, asks for them.', 'Legal obligation (GDPR Art. 15 and 20)', 30, false, strftime('%Y-%m-%dT%H:%M:%f+00:00','now'), strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
 ('purpose-security-investigation-1', 'security-investigation', 1, 'Investigating a security incident', 'An admin looks at one worker''s collected data, read-only and for 30 minutes, or exports the audit log, when a security incident requires it.', 'Legitimate interests (GDPR Art. 6(1)(f))', 180, false, strftime('%Y-%m-%dT%H:%M:%f+00:00','now'), strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
 ('purpose-performance-evaluation-1', 'performance-evaluation', 1, 'Evaluating a worker''s performance', 'Judging how well or how much someone works. Ruled out: collected data never enters a performance review.', 'None: prohibited by the policy', 0, true, strftime('%Y-%m-%dT%H:%M:%f+00:00','now'), strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
 ('purpose-discipline-1', 'discipline', 1, 'Disciplinary action', 'Using collected data to warn, sanction or dismiss someone. Ruled out by the policy.', 'None: prohibited by the policy', 0, true, strftime('%Y-%m-%dT%H:%M:%f+00:00','now'), strftime('%Y-%m-%dT%H:%M:%f+00:00','now'));
