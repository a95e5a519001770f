CREATE TABLE "app_store"."app_rollouts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"version_id" uuid NOT NULL,
	"app_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"percent" integer NOT NULL,
	"state" text NOT NULL,
	"failure_threshold" double precision NOT NULL,
	"min_devices" integer NOT NULL,
	"halt_reason" text,
	"created_by_id" text NOT NULL,
	"created_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "app_rollouts_one_active" ON "app_store"."app_rollouts" USING btree ("app_id","institution_id") WHERE "app_store"."app_rollouts"."state" in ('running', 'paused');--> statement-breakpoint
CREATE INDEX "app_rollouts_institution_idx" ON "app_store"."app_rollouts" USING btree ("institution_id","created_at");--> statement-breakpoint
CREATE INDEX "app_rollouts_version_idx" ON "app_store"."app_rollouts" USING btree ("version_id");