CREATE TABLE "secure_chat"."chat_file_usage" (
	"institution_id" uuid PRIMARY KEY NOT NULL,
	"used_bytes" bigint DEFAULT 0 NOT NULL,
	"quota_bytes" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."chat_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"institution_id" uuid NOT NULL,
	"uploader_user_id" text NOT NULL,
	"uploader_device_id" text,
	"group_id" text,
	"state" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"offset_bytes" bigint DEFAULT 0 NOT NULL,
	"lease_id" uuid,
	"lease_until" timestamp with time zone,
	"retention_days" bigint NOT NULL,
	"token_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "chat_files_token_idx" ON "secure_chat"."chat_files" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "chat_files_expiry_idx" ON "secure_chat"."chat_files" USING btree ("state","expires_at");--> statement-breakpoint
CREATE INDEX "chat_files_institution_idx" ON "secure_chat"."chat_files" USING btree ("institution_id","state");