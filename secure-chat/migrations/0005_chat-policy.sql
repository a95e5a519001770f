CREATE TABLE "secure_chat"."chat_policies" (
	"institution_id" uuid PRIMARY KEY NOT NULL,
	"cross_institution" text NOT NULL,
	"allowed_institutions" jsonb NOT NULL,
	"retention_days" integer NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"hold_reason" text,
	"hold_set_by" text,
	"hold_since" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."held_metadata" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"institution_id" uuid NOT NULL,
	"sender_device" uuid NOT NULL,
	"sender_user" uuid NOT NULL,
	"group_id" text NOT NULL,
	"kind" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"recipients" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "secure_chat"."group_members" ADD COLUMN "institution_id" uuid;--> statement-breakpoint
CREATE INDEX "held_metadata_institution_idx" ON "secure_chat"."held_metadata" USING btree ("institution_id","id");--> statement-breakpoint
CREATE INDEX "sends_created_idx" ON "secure_chat"."sends" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "device_queue_created_idx" ON "secure_chat"."device_queue" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "key_packages_not_after_idx" ON "secure_chat"."key_packages" USING btree ("not_after");