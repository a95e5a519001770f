CREATE TABLE "device_mgmt"."devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"institution_id" text,
	"imsi" text,
	"imei" text,
	"serial" text,
	"brand" text,
	"model" text,
	"state" text DEFAULT 'active' NOT NULL,
	"compliance" text DEFAULT 'compliant' NOT NULL,
	"compliance_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"non_compliant_since" timestamp with time zone,
	"attestation" jsonb NOT NULL,
	"last_attested_at" timestamp with time zone NOT NULL,
	"last_check_in_at" timestamp with time zone,
	"last_report" jsonb,
	"applied_policy_version" integer,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "devices_user_idx" ON "device_mgmt"."devices" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "devices_institution_idx" ON "device_mgmt"."devices" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "devices_compliance_idx" ON "device_mgmt"."devices" USING btree ("compliance");--> statement-breakpoint
CREATE UNIQUE INDEX "devices_imei_live_idx" ON "device_mgmt"."devices" USING btree ("imei") WHERE "device_mgmt"."devices"."state" in ('active', 'lost');