CREATE TABLE "core_network"."data_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"wrapped_key" "bytea" NOT NULL,
	"kek_id" text NOT NULL,
	"purpose" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rewrapped_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "core_network"."alarms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"nf" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"cleared_at" timestamp with time zone,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "core_network"."kpi_samples" (
	"nf" text NOT NULL,
	"kpi" text NOT NULL,
	"value" double precision NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "core_network"."network_specs" (
	"version" integer PRIMARY KEY NOT NULL,
	"spec" jsonb NOT NULL,
	"source_yaml" text NOT NULL,
	"sha256" text NOT NULL,
	"applied_by" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "core_network"."sim_cards" (
	"imsi" text PRIMARY KEY NOT NULL,
	"iccid" text,
	"msisdn" text,
	"batch" text,
	"data_key_id" uuid NOT NULL,
	"k_enc" "bytea" NOT NULL,
	"opc_enc" "bytea" NOT NULL,
	"secrets_mac" text NOT NULL,
	"amf" text DEFAULT '8000' NOT NULL,
	"sqn_seq" bigint DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'available' NOT NULL,
	"import_job_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sim_cards_iccid_unique" UNIQUE("iccid")
);
--> statement-breakpoint
CREATE TABLE "core_network"."sim_import_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"filename" text NOT NULL,
	"status" text NOT NULL,
	"source_sha256" text NOT NULL,
	"data_key_id" uuid NOT NULL,
	"source_enc" "bytea",
	"total_rows" integer DEFAULT 0 NOT NULL,
	"committed_lines" integer DEFAULT 0 NOT NULL,
	"imported" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"conflicts" integer DEFAULT 0 NOT NULL,
	"invalid" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"failure" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "core_network"."subscriber_deletions" (
	"imsi" text PRIMARY KEY NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"requested_by" uuid
);
--> statement-breakpoint
CREATE TABLE "core_network"."subscriber_profiles" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"profile" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "core_network"."subscribers" (
	"imsi" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"display_name" text NOT NULL,
	"institution_id" text,
	"profile_name" text NOT NULL,
	"static_ipv4" text,
	"status" text DEFAULT 'active' NOT NULL,
	"barring_reason" text,
	"barred_by" text,
	"version" integer DEFAULT 1 NOT NULL,
	"synced_version" integer DEFAULT 0 NOT NULL,
	"synced_at" timestamp with time zone,
	"sync_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alarms_open_idx" ON "core_network"."alarms" USING btree ("kind","nf","cleared_at");--> statement-breakpoint
CREATE INDEX "kpi_samples_lookup_idx" ON "core_network"."kpi_samples" USING btree ("nf","kpi","at");--> statement-breakpoint
CREATE INDEX "sim_cards_msisdn_idx" ON "core_network"."sim_cards" USING btree ("msisdn");--> statement-breakpoint
CREATE INDEX "sim_cards_batch_idx" ON "core_network"."sim_cards" USING btree ("batch");--> statement-breakpoint
CREATE INDEX "sim_cards_status_idx" ON "core_network"."sim_cards" USING btree ("status");--> statement-breakpoint
CREATE INDEX "subscribers_user_idx" ON "core_network"."subscribers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "subscribers_institution_idx" ON "core_network"."subscribers" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "subscribers_status_idx" ON "core_network"."subscribers" USING btree ("status");