ALTER TABLE "secure_chat"."bots" ADD COLUMN "previous_webhook_secret" text;--> statement-breakpoint
ALTER TABLE "secure_chat"."bots" ADD COLUMN "previous_secret_until" timestamp with time zone;