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
CREATE TABLE "device_mgmt"."device_ca_certificates" (
	"serial" text PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"der" "bytea" NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "device_mgmt"."device_certificates" (
	"serial" text PRIMARY KEY NOT NULL,
	"device_id" uuid NOT NULL,
	"thumbprint" text NOT NULL,
	"der" "bytea" NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revocation_reason" text,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_certificates_thumbprint_unique" UNIQUE("thumbprint")
);
--> statement-breakpoint
CREATE TABLE "device_mgmt"."attestation_challenges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"challenge" text NOT NULL,
	"token_id" uuid,
	"device_id" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "device_mgmt"."enrolment_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" text NOT NULL,
	"institution_id" text,
	"imsi" text,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"device_id" uuid,
	"revoked_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "enrolment_tokens_token_hash_unique" UNIQUE("token_hash")
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
CREATE INDEX "device_certificates_device_idx" ON "device_mgmt"."device_certificates" USING btree ("device_id");--> statement-breakpoint
CREATE INDEX "attestation_challenges_expiry_idx" ON "device_mgmt"."attestation_challenges" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "enrolment_tokens_institution_idx" ON "device_mgmt"."enrolment_tokens" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "device_policies_scope_idx" ON "device_mgmt"."device_policies" USING btree ("scope","version");