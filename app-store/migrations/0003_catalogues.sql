CREATE TABLE "app_store"."catalogue_diffs" (
	"institution_id" uuid NOT NULL,
	"timestamp" bigint NOT NULL,
	"from_timestamp" bigint NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "catalogue_diffs_institution_id_timestamp_from_timestamp_pk" PRIMARY KEY("institution_id","timestamp","from_timestamp")
);
--> statement-breakpoint
CREATE TABLE "app_store"."catalogues" (
	"institution_id" uuid NOT NULL,
	"timestamp" bigint NOT NULL,
	"index_bytes" "bytea" NOT NULL,
	"index_sha256" text NOT NULL,
	"entry_jws" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalogues_institution_id_timestamp_pk" PRIMARY KEY("institution_id","timestamp")
);
--> statement-breakpoint
CREATE INDEX "catalogue_diffs_from_idx" ON "app_store"."catalogue_diffs" USING btree ("institution_id","from_timestamp");