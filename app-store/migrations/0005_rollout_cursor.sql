ALTER TABLE "app_store"."app_rollouts" ADD COLUMN "cursor" text;--> statement-breakpoint
ALTER TABLE "app_store"."app_rollouts" ADD COLUMN "sweep" jsonb;--> statement-breakpoint
ALTER TABLE "app_store"."app_rollouts" ADD COLUMN "installs_cancelled_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "app_rollouts_to_cancel_idx" ON "app_store"."app_rollouts" USING btree ("id") WHERE "app_store"."app_rollouts"."state" = 'halted' and "app_store"."app_rollouts"."installs_cancelled_at" is null;