CREATE TABLE "identity"."factor_resets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"requested_by" uuid NOT NULL,
	"requested_by_name" text NOT NULL,
	"sealed_part" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_by_name" text,
	"decided_at" timestamp with time zone,
	"decision_reason" text
);
--> statement-breakpoint
ALTER TABLE "identity"."webauthn_challenges" ADD COLUMN "created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL;--> statement-breakpoint
ALTER TABLE "identity"."api_tokens" ADD COLUMN "owner_id" uuid;--> statement-breakpoint
ALTER TABLE "identity"."api_tokens" ADD COLUMN "parent_token_id" uuid;--> statement-breakpoint
ALTER TABLE "identity"."users" ADD COLUMN "password_closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "identity"."users" ADD COLUMN "totp_enrolment_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "factor_resets_one_pending_idx" ON "identity"."factor_resets" USING btree ("user_id") WHERE "identity"."factor_resets"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "factor_resets_status_idx" ON "identity"."factor_resets" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "webauthn_challenges_expiry_idx" ON "identity"."webauthn_challenges" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "webauthn_challenges_age_idx" ON "identity"."webauthn_challenges" USING btree ("purpose","created_at");--> statement-breakpoint
-- A lock-out before this version becomes a closed password step (the account itself is no longer locked).
UPDATE "identity"."users" SET "password_closed_at" = "locked_at" WHERE "locked_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "identity"."users" DROP COLUMN "locked_at";--> statement-breakpoint
-- Existing API tokens answer to the person who created them (created_by = '<operator|official>:<user id>').
UPDATE "identity"."api_tokens" SET "owner_id" = substring("created_by" from position(':' in "created_by") + 1)::uuid
  WHERE "created_by" ~ '^(operator|official):[0-9a-fA-F-]{36}$';--> statement-breakpoint
-- Tokens made by a token: their parent, and the parent's owner (two levels cover what existed).
UPDATE "identity"."api_tokens" SET "parent_token_id" = substring("created_by" from 11)::uuid
  WHERE "created_by" ~ '^api-token:[0-9a-fA-F-]{36}$';--> statement-breakpoint
UPDATE "identity"."api_tokens" AS t SET "owner_id" = p."owner_id" FROM "identity"."api_tokens" AS p
  WHERE t."parent_token_id" = p."id" AND t."owner_id" IS NULL;--> statement-breakpoint
UPDATE "identity"."api_tokens" AS t SET "owner_id" = p."owner_id" FROM "identity"."api_tokens" AS p
  WHERE t."parent_token_id" = p."id" AND t."owner_id" IS NULL;
