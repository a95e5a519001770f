CREATE TABLE "identity"."directory_links" (
	"sync_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"dn" text NOT NULL,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_links_sync_id_user_id_pk" PRIMARY KEY("sync_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "identity"."directory_syncs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"bind_dn" text NOT NULL,
	"bind_password_sealed" text NOT NULL,
	"base_dn" text NOT NULL,
	"filter" text NOT NULL,
	"mapping" jsonb NOT NULL,
	"institution" text,
	"interval_minutes" integer,
	"last_run_at" timestamp with time zone,
	"last_job_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_syncs_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "identity"."user_enrolments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"issued_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "identity"."user_import_blocks" (
	"job_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"first_line" integer NOT NULL,
	"last_line" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_import_blocks_job_id_seq_pk" PRIMARY KEY("job_id","seq")
);
--> statement-breakpoint
CREATE TABLE "identity"."user_import_codes" (
	"job_id" uuid NOT NULL,
	"last_line" integer NOT NULL,
	"sealed" text NOT NULL,
	CONSTRAINT "user_import_codes_job_id_last_line_pk" PRIMARY KEY("job_id","last_line")
);
--> statement-breakpoint
CREATE TABLE "identity"."user_import_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"filename" text NOT NULL,
	"dry_run" boolean NOT NULL,
	"status" text NOT NULL,
	"source_sha256" text NOT NULL,
	"source_header" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"committed_lines" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"invalid" integer DEFAULT 0 NOT NULL,
	"disabled" integer DEFAULT 0 NOT NULL,
	"imsis" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"failure" text,
	"created_by" text NOT NULL,
	"created_by_name" text NOT NULL,
	"scope_ids" text[],
	"codes_downloaded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "user_enrolments_code_idx" ON "identity"."user_enrolments" USING btree ("code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "user_enrolments_one_open_idx" ON "identity"."user_enrolments" USING btree ("user_id") WHERE "identity"."user_enrolments"."used_at" is null;--> statement-breakpoint
CREATE INDEX "user_enrolments_expires_idx" ON "identity"."user_enrolments" USING btree ("expires_at");