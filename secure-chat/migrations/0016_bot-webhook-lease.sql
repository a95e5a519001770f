ALTER TABLE "secure_chat"."bots" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "secure_chat"."bots" ADD COLUMN "draining_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "secure_chat"."bots" ADD COLUMN "drain_lease" uuid;