-- DropIndex
DROP INDEX "Pause_startsAt_cancelledAt_lengthSeconds_idx";

-- CreateTable
CREATE TABLE "PauseStartQuarter" (
    "quarter" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "PauseLengthDay" (
    "day" TEXT NOT NULL,
    "lengthSeconds" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("day", "lengthSeconds")
);

-- CreateTable
CREATE TABLE "TeamPauseDay" (
    "day" TEXT NOT NULL,
    "managerKey" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("day", "managerKey")
);

-- CreateIndex
CREATE INDEX "Pause_startsAt_cancelledAt_lengthSeconds_workerId_idx" ON "Pause"("startsAt", "cancelledAt", "lengthSeconds", "workerId");

-- The rollups are kept by triggers (ADR 0031), like "lengthSeconds": every writer keeps them.
-- Each trigger adds the new row's share and takes away the old row's, as signed upserts, so the
-- order in which SQLite runs them (this one and "Pause_lengthSeconds_*") never matters; a key
-- whose count falls to 0 is deleted. A pause counts when it is not cancelled; in
-- "PauseLengthDay" when its length is known; in "TeamPauseDay" when its worker is active.
-- Keys: the UTC day "YYYY-MM-DD" and quarter hour "YYYY-MM-DDTHH:MM" of "startsAt".

CREATE TRIGGER "Pause_rollups_insert" AFTER INSERT ON "Pause"
BEGIN
  INSERT INTO "PauseStartQuarter" ("quarter", "count")
    SELECT strftime('%Y-%m-%dT%H:', NEW."startsAt") || printf('%02d', CAST(strftime('%M', NEW."startsAt") AS INTEGER) / 15 * 15), 1
    WHERE NEW."cancelledAt" IS NULL
    ON CONFLICT ("quarter") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "PauseLengthDay" ("day", "lengthSeconds", "count")
    SELECT strftime('%Y-%m-%d', NEW."startsAt"), NEW."lengthSeconds", 1
    WHERE NEW."cancelledAt" IS NULL AND NEW."lengthSeconds" IS NOT NULL
    ON CONFLICT ("day", "lengthSeconds") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
    SELECT strftime('%Y-%m-%d', NEW."startsAt"), COALESCE(u."managerId", ''), 1
    FROM "User" u WHERE u."id" = NEW."workerId" AND u."deactivatedAt" IS NULL AND NEW."cancelledAt" IS NULL
    ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "count" + excluded."count";
END;

CREATE TRIGGER "Pause_rollups_update" AFTER UPDATE OF "startsAt", "cancelledAt", "lengthSeconds", "workerId" ON "Pause"
WHEN OLD."startsAt" IS NOT NEW."startsAt" OR (OLD."cancelledAt" IS NULL) IS NOT (NEW."cancelledAt" IS NULL)
  OR OLD."lengthSeconds" IS NOT NEW."lengthSeconds" OR OLD."workerId" IS NOT NEW."workerId"
BEGIN
  -- The old row's share out…
  INSERT INTO "PauseStartQuarter" ("quarter", "count")
    SELECT strftime('%Y-%m-%dT%H:', OLD."startsAt") || printf('%02d', CAST(strftime('%M', OLD."startsAt") AS INTEGER) / 15 * 15), -1
    WHERE OLD."cancelledAt" IS NULL
    ON CONFLICT ("quarter") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "PauseLengthDay" ("day", "lengthSeconds", "count")
    SELECT strftime('%Y-%m-%d', OLD."startsAt"), OLD."lengthSeconds", -1
    WHERE OLD."cancelledAt" IS NULL AND OLD."lengthSeconds" IS NOT NULL
    ON CONFLICT ("day", "lengthSeconds") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
    SELECT strftime('%Y-%m-%d', OLD."startsAt"), COALESCE(u."managerId", ''), -1
    FROM "User" u WHERE u."id" = OLD."workerId" AND u."deactivatedAt" IS NULL AND OLD."cancelledAt" IS NULL
    ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "count" + excluded."count";
  -- …the new row's share in…
  INSERT INTO "PauseStartQuarter" ("quarter", "count")
    SELECT strftime('%Y-%m-%dT%H:', NEW."startsAt") || printf('%02d', CAST(strftime('%M', NEW."startsAt") AS INTEGER) / 15 * 15), 1
    WHERE NEW."cancelledAt" IS NULL
    ON CONFLICT ("quarter") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "PauseLengthDay" ("day", "lengthSeconds", "count")
    SELECT strftime('%Y-%m-%d', NEW."startsAt"), NEW."lengthSeconds", 1
    WHERE NEW."cancelledAt" IS NULL AND NEW."lengthSeconds" IS NOT NULL
    ON CONFLICT ("day", "lengthSeconds") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
    SELECT strftime('%Y-%m-%d', NEW."startsAt"), COALESCE(u."managerId", ''), 1
    FROM "User" u WHERE u."id" = NEW."workerId" AND u."deactivatedAt" IS NULL AND NEW."cancelledAt" IS NULL
    ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "count" + excluded."count";
  -- …and no key left at 0.
  DELETE FROM "PauseStartQuarter" WHERE "count" = 0
    AND "quarter" = strftime('%Y-%m-%dT%H:', OLD."startsAt") || printf('%02d', CAST(strftime('%M', OLD."startsAt") AS INTEGER) / 15 * 15);
  DELETE FROM "PauseLengthDay" WHERE "count" = 0
    AND "day" = strftime('%Y-%m-%d', OLD."startsAt") AND "lengthSeconds" IS OLD."lengthSeconds";
  DELETE FROM "TeamPauseDay" WHERE "count" = 0 AND "day" = strftime('%Y-%m-%d', OLD."startsAt");
END;

-- A pause deleted with its worker (ON DELETE CASCADE) finds no "User" row here: the worker's
-- share of "TeamPauseDay" was taken out by "User_teamPauseDay_delete" before.
CREATE TRIGGER "Pause_rollups_delete" AFTER DELETE ON "Pause"
BEGIN
  INSERT INTO "PauseStartQuarter" ("quarter", "count")
    SELECT strftime('%Y-%m-%dT%H:', OLD."startsAt") || printf('%02d', CAST(strftime('%M', OLD."startsAt") AS INTEGER) / 15 * 15), -1
    WHERE OLD."cancelledAt" IS NULL
    ON CONFLICT ("quarter") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "PauseLengthDay" ("day", "lengthSeconds", "count")
    SELECT strftime('%Y-%m-%d', OLD."startsAt"), OLD."lengthSeconds", -1
    WHERE OLD."cancelledAt" IS NULL AND OLD."lengthSeconds" IS NOT NULL
    ON CONFLICT ("day", "lengthSeconds") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
    SELECT strftime('%Y-%m-%d', OLD."startsAt"), COALESCE(u."managerId", ''), -1
    FROM "User" u WHERE u."id" = OLD."workerId" AND u."deactivatedAt" IS NULL AND OLD."cancelledAt" IS NULL
    ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "count" + excluded."count";
  DELETE FROM "PauseStartQuarter" WHERE "count" = 0
    AND "quarter" = strftime('%Y-%m-%dT%H:', OLD."startsAt") || printf('%02d', CAST(strftime('%M', OLD."startsAt") AS INTEGER) / 15 * 15);
  DELETE FROM "PauseLengthDay" WHERE "count" = 0
    AND "day" = strftime('%Y-%m-%d', OLD."startsAt") AND "lengthSeconds" IS OLD."lengthSeconds";
  DELETE FROM "TeamPauseDay" WHERE "count" = 0 AND "day" = strftime('%Y-%m-%d', OLD."startsAt");
END;

-- A change of manager, a deactivation or a reactivation moves the person's pauses between teams.
CREATE TRIGGER "User_teamPauseDay_update" AFTER UPDATE OF "managerId", "deactivatedAt" ON "User"
WHEN OLD."managerId" IS NOT NEW."managerId" OR (OLD."deactivatedAt" IS NULL) IS NOT (NEW."deactivatedAt" IS NULL)
BEGIN
  INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
    SELECT strftime('%Y-%m-%d', p."startsAt"), COALESCE(OLD."managerId", ''), -COUNT(*)
    FROM "Pause" p WHERE p."workerId" = OLD."id" AND p."cancelledAt" IS NULL AND OLD."deactivatedAt" IS NULL
    GROUP BY 1
    ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
    SELECT strftime('%Y-%m-%d', p."startsAt"), COALESCE(NEW."managerId", ''), COUNT(*)
    FROM "Pause" p WHERE p."workerId" = NEW."id" AND p."cancelledAt" IS NULL AND NEW."deactivatedAt" IS NULL
    GROUP BY 1
    ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "count" + excluded."count";
  DELETE FROM "TeamPauseDay" WHERE "count" = 0 AND "managerKey" = COALESCE(OLD."managerId", '');
END;

CREATE TRIGGER "User_teamPauseDay_delete" BEFORE DELETE ON "User"
WHEN OLD."deactivatedAt" IS NULL
BEGIN
  INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
    SELECT strftime('%Y-%m-%d', p."startsAt"), COALESCE(OLD."managerId", ''), -COUNT(*)
    FROM "Pause" p WHERE p."workerId" = OLD."id" AND p."cancelledAt" IS NULL
    GROUP BY 1
    ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "count" + excluded."count";
  DELETE FROM "TeamPauseDay" WHERE "count" = 0 AND "managerKey" = COALESCE(OLD."managerId", '');
END;

-- Pauses stored before this migration.
INSERT INTO "PauseStartQuarter" ("quarter", "count")
  SELECT strftime('%Y-%m-%dT%H:', "startsAt") || printf('%02d', CAST(strftime('%M', "startsAt") AS INTEGER) / 15 * 15), COUNT(*)
  FROM "Pause" WHERE "cancelledAt" IS NULL GROUP BY 1;
INSERT INTO "PauseLengthDay" ("day", "lengthSeconds", "count")
  SELECT strftime('%Y-%m-%d', "startsAt"), "lengthSeconds", COUNT(*)
  FROM "Pause" WHERE "cancelledAt" IS NULL AND "lengthSeconds" IS NOT NULL GROUP BY 1, 2;
INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
  SELECT strftime('%Y-%m-%d', p."startsAt"), COALESCE(u."managerId", ''), COUNT(*)
  FROM "Pause" p JOIN "User" u ON u."id" = p."workerId"
  WHERE p."cancelledAt" IS NULL AND u."deactivatedAt" IS NULL GROUP BY 1, 2;
