CREATE TABLE "hardened_os"."institution_rings" (
	"institution_id" uuid PRIMARY KEY NOT NULL,
	"ring" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hardened_os"."rollout_devices" (
	"rollout_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"institution_id" uuid,
	"ring" text NOT NULL,
	"stage" integer NOT NULL,
	"outcome" text NOT NULL,
	"detail" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "rollout_devices_rollout_id_device_id_pk" PRIMARY KEY("rollout_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "hardened_os"."rollouts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"release_id" uuid NOT NULL,
	"model" text NOT NULL,
	"stages" jsonb NOT NULL,
	"state" text NOT NULL,
	"current_stage" integer DEFAULT 0 NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"stage_started_at" timestamp with time zone,
	"failure_threshold" double precision NOT NULL,
	"min_outcomes" integer NOT NULL,
	"halt_reason" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rollout_devices_stage_idx" ON "hardened_os"."rollout_devices" USING btree ("rollout_id","stage");--> statement-breakpoint
CREATE UNIQUE INDEX "rollouts_one_active_per_model" ON "hardened_os"."rollouts" USING btree ("model") WHERE "hardened_os"."rollouts"."state" in ('scheduled', 'running', 'paused');--> statement-breakpoint
CREATE INDEX "rollouts_created_idx" ON "hardened_os"."rollouts" USING btree ("created_at");