CREATE TABLE "app_store"."app_version_kills" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"killed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "app_version_kills_at_idx" ON "app_store"."app_version_kills" USING btree ("killed_at");