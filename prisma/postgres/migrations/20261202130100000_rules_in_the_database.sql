-- Up Migration
-- The rules the SQLite migrations keep with triggers, written for PostgreSQL
-- (prisma/migrations: foundation, acknowledgements, pause_length_seconds,
-- user_import_chunks, overview_pause_rollups). Times are UTC TIMESTAMP(3).

-- Audit events are append-only, except the events about people of an import
-- that never finished (it is rolled back whole: ADR 0016).
CREATE FUNCTION lull_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
    SELECT 1 FROM "User" u JOIN "UserImport" i ON i."id" = u."importId"
    WHERE u."id" = OLD."subjectUserId" AND i."finishedAt" IS NULL
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'AuditEvent is append-only';
END $$;
CREATE TRIGGER "AuditEvent_append_only_update" BEFORE UPDATE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION lull_audit_append_only();
CREATE TRIGGER "AuditEvent_append_only_delete" BEFORE DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION lull_audit_append_only();

-- A published document is immutable; acknowledgements are append-only.
CREATE FUNCTION lull_published_document_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."publishedAt" IS NOT NULL THEN
    RAISE EXCEPTION 'A published PolicyDocument is immutable';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "PolicyDocument_published_immutable" BEFORE UPDATE ON "PolicyDocument"
  FOR EACH ROW EXECUTE FUNCTION lull_published_document_immutable();
CREATE TRIGGER "PolicyDocument_published_undeletable" BEFORE DELETE ON "PolicyDocument"
  FOR EACH ROW EXECUTE FUNCTION lull_published_document_immutable();

CREATE FUNCTION lull_acknowledgement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'Acknowledgement is append-only';
END $$;
CREATE TRIGGER "Acknowledgement_append_only_update" BEFORE UPDATE ON "Acknowledgement"
  FOR EACH ROW EXECUTE FUNCTION lull_acknowledgement_append_only();
CREATE TRIGGER "Acknowledgement_append_only_delete" BEFORE DELETE ON "Acknowledgement"
  FOR EACH ROW EXECUTE FUNCTION lull_acknowledgement_append_only();

-- A pause's length in seconds as it was taken (ended early or not), kept by the database.
CREATE FUNCTION lull_pause_length() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ended TIMESTAMP(3) := LEAST(NEW."endsAt", COALESCE(NEW."endedEarlyAt", NEW."endsAt"));
BEGIN
  NEW."lengthSeconds" := CASE WHEN ended > NEW."startsAt"
    THEN ROUND(EXTRACT(EPOCH FROM (ended - NEW."startsAt")))::integer END;
  RETURN NEW;
END $$;
CREATE TRIGGER "Pause_lengthSeconds_insert" BEFORE INSERT ON "Pause"
  FOR EACH ROW EXECUTE FUNCTION lull_pause_length();
CREATE TRIGGER "Pause_lengthSeconds_update" BEFORE UPDATE OF "startsAt", "endsAt", "endedEarlyAt" ON "Pause"
  FOR EACH ROW EXECUTE FUNCTION lull_pause_length();

-- The privacy office overview's pause counts (ADR 0031), kept in the writing
-- statement's own transaction: per quarter hour of start, per day and length,
-- per team (manager) and day.
CREATE FUNCTION lull_pause_quarter(at TIMESTAMP(3)) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(at, 'YYYY-MM-DD"T"HH24:') || lpad((EXTRACT(MINUTE FROM at)::integer / 15 * 15)::text, 2, '0')
$$;
CREATE FUNCTION lull_day(at TIMESTAMP(3)) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(at, 'YYYY-MM-DD')
$$;

CREATE FUNCTION lull_pause_rollups_add(p "Pause", sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p."cancelledAt" IS NOT NULL THEN RETURN; END IF;
  INSERT INTO "PauseStartQuarter" ("quarter", "count") VALUES (lull_pause_quarter(p."startsAt"), sign)
    ON CONFLICT ("quarter") DO UPDATE SET "count" = "PauseStartQuarter"."count" + excluded."count";
  IF p."lengthSeconds" IS NOT NULL THEN
    INSERT INTO "PauseLengthDay" ("day", "lengthSeconds", "count") VALUES (lull_day(p."startsAt"), p."lengthSeconds", sign)
      ON CONFLICT ("day", "lengthSeconds") DO UPDATE SET "count" = "PauseLengthDay"."count" + excluded."count";
  END IF;
  INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
    SELECT lull_day(p."startsAt"), COALESCE(u."managerId", ''), sign
    FROM "User" u WHERE u."id" = p."workerId" AND u."deactivatedAt" IS NULL
    ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "TeamPauseDay"."count" + excluded."count";
  IF sign < 0 THEN
    DELETE FROM "PauseStartQuarter" WHERE "count" = 0 AND "quarter" = lull_pause_quarter(p."startsAt");
    DELETE FROM "PauseLengthDay" WHERE "count" = 0 AND "day" = lull_day(p."startsAt")
      AND "lengthSeconds" IS NOT DISTINCT FROM p."lengthSeconds";
    DELETE FROM "TeamPauseDay" WHERE "count" = 0 AND "day" = lull_day(p."startsAt");
  END IF;
END $$;

CREATE FUNCTION lull_pause_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM lull_pause_rollups_add(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM lull_pause_rollups_add(NEW, 1); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "Pause_rollups_insert" AFTER INSERT ON "Pause"
  FOR EACH ROW EXECUTE FUNCTION lull_pause_rollups();
CREATE TRIGGER "Pause_rollups_update" AFTER UPDATE OF "startsAt", "cancelledAt", "lengthSeconds", "workerId", "endsAt", "endedEarlyAt" ON "Pause"
  FOR EACH ROW WHEN (OLD."startsAt" IS DISTINCT FROM NEW."startsAt"
    OR (OLD."cancelledAt" IS NULL) IS DISTINCT FROM (NEW."cancelledAt" IS NULL)
    OR OLD."lengthSeconds" IS DISTINCT FROM NEW."lengthSeconds"
    OR OLD."workerId" IS DISTINCT FROM NEW."workerId")
  EXECUTE FUNCTION lull_pause_rollups();
CREATE TRIGGER "Pause_rollups_delete" AFTER DELETE ON "Pause"
  FOR EACH ROW EXECUTE FUNCTION lull_pause_rollups();

-- A change of manager, a deactivation or a reactivation moves the person's pauses between teams.
CREATE FUNCTION lull_team_pause_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."deactivatedAt" IS NULL THEN
    INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
      SELECT lull_day(p."startsAt"), COALESCE(OLD."managerId", ''), -COUNT(*)
      FROM "Pause" p WHERE p."workerId" = OLD."id" AND p."cancelledAt" IS NULL
      GROUP BY 1
      ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "TeamPauseDay"."count" + excluded."count";
  END IF;
  IF TG_OP = 'UPDATE' AND NEW."deactivatedAt" IS NULL THEN
    INSERT INTO "TeamPauseDay" ("day", "managerKey", "count")
      SELECT lull_day(p."startsAt"), COALESCE(NEW."managerId", ''), COUNT(*)
      FROM "Pause" p WHERE p."workerId" = NEW."id" AND p."cancelledAt" IS NULL
      GROUP BY 1
      ON CONFLICT ("day", "managerKey") DO UPDATE SET "count" = "TeamPauseDay"."count" + excluded."count";
  END IF;
  DELETE FROM "TeamPauseDay" WHERE "count" = 0 AND "managerKey" = COALESCE(OLD."managerId", '');
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "User_teamPauseDay_update" AFTER UPDATE OF "managerId", "deactivatedAt" ON "User"
  FOR EACH ROW WHEN (OLD."managerId" IS DISTINCT FROM NEW."managerId"
    OR (OLD."deactivatedAt" IS NULL) IS DISTINCT FROM (NEW."deactivatedAt" IS NULL))
  EXECUTE FUNCTION lull_team_pause_days();
CREATE TRIGGER "User_teamPauseDay_delete" BEFORE DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION lull_team_pause_days();
