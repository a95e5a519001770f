CREATE TABLE "device_mgmt"."device_commands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"device_id" uuid NOT NULL,
	"institution_id" text,
	"type" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"idempotency_key" text NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"created_by" text NOT NULL,
	"created_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"result" jsonb
);
--> statement-breakpoint
CREATE TABLE "device_mgmt"."device_policies" (
	"version" integer PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_by_name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "device_commands_idempotency_idx" ON "device_mgmt"."device_commands" USING btree ("device_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "device_commands_device_idx" ON "device_mgmt"."device_commands" USING btree ("device_id","state");--> statement-breakpoint
CREATE INDEX "device_commands_open_idx" ON "device_mgmt"."device_commands" USING btree ("state","expires_at");--> statement-breakpoint
CREATE INDEX "device_policies_scope_idx" ON "device_mgmt"."device_policies" USING btree ("scope","version");