CREATE TABLE "app_store"."app_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"app_id" uuid NOT NULL,
	"version_code" bigint NOT NULL,
	"version_name" text,
	"track" text NOT NULL,
	"apk_sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"signers" jsonb NOT NULL,
	"manifest" jsonb NOT NULL,
	"findings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"blob_path" text NOT NULL,
	"state" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_store"."apps" (
	"id" uuid PRIMARY KEY NOT NULL,
	"package_name" text NOT NULL,
	"org_id" uuid NOT NULL,
	"pinned_signer" text NOT NULL,
	"lineage" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"mandatory" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "apps_package_name_unique" UNIQUE("package_name")
);
--> statement-breakpoint
CREATE TABLE "app_store"."developer_orgs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"institution_id" uuid,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "developer_orgs_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "app_store"."org_members" (
	"org_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"added_by" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "org_members_org_id_user_id_pk" PRIMARY KEY("org_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "app_store"."reviews" (
	"id" uuid PRIMARY KEY NOT NULL,
	"version_id" uuid NOT NULL,
	"reviewer" text NOT NULL,
	"decision" text NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_store"."store_policies" (
	"scope" text PRIMARY KEY NOT NULL,
	"policy" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "app_versions_app_track_idx" ON "app_store"."app_versions" USING btree ("app_id","track","version_code");--> statement-breakpoint
CREATE INDEX "app_versions_state_idx" ON "app_store"."app_versions" USING btree ("state");--> statement-breakpoint
CREATE INDEX "org_members_user_idx" ON "app_store"."org_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_version_reviewer_uq" ON "app_store"."reviews" USING btree ("version_id","reviewer");