ALTER TABLE "identity"."user_import_jobs" ADD COLUMN "runner" uuid;--> statement-breakpoint
ALTER TABLE "identity"."user_import_jobs" ADD COLUMN "lease_until" timestamp with time zone;