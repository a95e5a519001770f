CREATE TABLE "device_mgmt"."device_os_updates" (
	"device_id" uuid NOT NULL,
	"rollout_id" text NOT NULL,
	"institution_id" text,
	"release_id" text NOT NULL,
	"build_id" text NOT NULL,
	"command_id" uuid,
	"state" text DEFAULT 'offered' NOT NULL,
	"detail" text,
	"offered_at" timestamp with time zone NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "device_os_updates_device_id_rollout_id_pk" PRIMARY KEY("device_id","rollout_id")
);
--> statement-breakpoint
CREATE TABLE "device_mgmt"."os_update_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"device_id" uuid NOT NULL,
	"rollout_id" text NOT NULL,
	"outcome" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "os_update_events_once_idx" ON "device_mgmt"."os_update_events" USING btree ("device_id","rollout_id","outcome");--> statement-breakpoint
CREATE INDEX "os_update_events_unpublished_idx" ON "device_mgmt"."os_update_events" USING btree ("created_at") WHERE "device_mgmt"."os_update_events"."published_at" is null;