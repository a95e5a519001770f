ALTER TABLE "core_network"."sim_import_jobs" ADD COLUMN "runner" uuid;--> statement-breakpoint
ALTER TABLE "core_network"."sim_import_jobs" ADD COLUMN "lease_until" timestamp with time zone;