CREATE TABLE "core_network"."open5gs_exported_imsis" (
	"imsi" text PRIMARY KEY NOT NULL,
	"present" boolean NOT NULL,
	"last_export_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "core_network"."open5gs_exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"exported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text NOT NULL,
	"request_id" text,
	"documents" integer NOT NULL,
	"deletions" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "core_network"."subscribers" ADD COLUMN "exported_version" integer DEFAULT 0 NOT NULL;