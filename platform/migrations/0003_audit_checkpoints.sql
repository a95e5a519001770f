CREATE TABLE "platform"."audit_checkpoints" (
	"n" bigint PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"prev_signature" text NOT NULL,
	"kid" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
-- Append-only like the log they anchor (the same function refuses the change).
CREATE TRIGGER "audit_checkpoints_forbid_update_delete" BEFORE UPDATE OR DELETE ON "platform"."audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "platform"."audit_log_forbid_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_checkpoints_forbid_truncate" BEFORE TRUNCATE ON "platform"."audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION "platform"."audit_log_forbid_change"();
