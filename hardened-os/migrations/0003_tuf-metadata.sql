CREATE TABLE "hardened_os"."tuf_alarms" (
	"key" text PRIMARY KEY NOT NULL,
	"raised_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hardened_os"."tuf_key_status" (
	"keyid" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"marked_by" text NOT NULL,
	"marked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hardened_os"."tuf_metadata" (
	"role" text NOT NULL,
	"version" bigint NOT NULL,
	"bytes" "bytea" NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tuf_metadata_role_version_pk" PRIMARY KEY("role","version")
);
