-- The audit log is append-only: the hash chain detects tampering after the fact, these triggers stop the
-- application (or a careless operator) from rewriting history in the first place. A superuser can still
-- disable them, which is exactly what `pakawaaz audit verify` is there to catch.
CREATE FUNCTION "platform"."audit_log_forbid_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only'
    USING ERRCODE = 'insufficient_privilege', DETAIL = TG_OP || ' refused on ' || TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_forbid_update_delete" BEFORE UPDATE OR DELETE ON "platform"."audit_log"
  FOR EACH ROW EXECUTE FUNCTION "platform"."audit_log_forbid_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_forbid_truncate" BEFORE TRUNCATE ON "platform"."audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "platform"."audit_log_forbid_change"();
