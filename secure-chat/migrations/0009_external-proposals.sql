CREATE TABLE "secure_chat"."external_proposals" (
	"group_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"message" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "external_proposals_group_idx" ON "secure_chat"."external_proposals" USING btree ("group_id","epoch");