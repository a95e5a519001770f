CREATE TABLE "device_mgmt"."device_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "device_mgmt"."devices" ADD COLUMN "group_id" uuid;--> statement-breakpoint
CREATE INDEX "device_groups_institution_idx" ON "device_mgmt"."device_groups" USING btree ("institution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "device_groups_name_idx" ON "device_mgmt"."device_groups" USING btree ("institution_id",lower("name"));--> statement-breakpoint
ALTER TABLE "device_mgmt"."devices" ADD CONSTRAINT "devices_group_id_device_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "device_mgmt"."device_groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "devices_group_idx" ON "device_mgmt"."devices" USING btree ("group_id");