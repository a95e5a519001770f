CREATE TABLE "hardened_os"."boot_keys" (
	"model" text NOT NULL,
	"digest" text NOT NULL,
	"status" text NOT NULL,
	"label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "boot_keys_model_digest_pk" PRIMARY KEY("model","digest")
);
--> statement-breakpoint
CREATE TABLE "hardened_os"."device_models" (
	"codename" text PRIMARY KEY NOT NULL,
	"manufacturer" text NOT NULL,
	"name" text,
	"strongbox" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hardened_os"."ota_payloads" (
	"release_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"from_build_id" text DEFAULT '' NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ota_payloads_release_id_kind_from_build_id_pk" PRIMARY KEY("release_id","kind","from_build_id")
);
--> statement-breakpoint
CREATE TABLE "hardened_os"."patch_floors" (
	"scope" text PRIMARY KEY NOT NULL,
	"minimum_patch_level" integer NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hardened_os"."releases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"build_id" text NOT NULL,
	"fingerprint" text NOT NULL,
	"version" text NOT NULL,
	"security_patch_level" text NOT NULL,
	"vendor_patch_level" text,
	"boot_patch_level" text,
	"channel" text NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "releases_fingerprint_unique" UNIQUE("fingerprint"),
	CONSTRAINT "releases_model_build_uq" UNIQUE("model","build_id")
);
--> statement-breakpoint
CREATE INDEX "boot_keys_digest_idx" ON "hardened_os"."boot_keys" USING btree ("digest");