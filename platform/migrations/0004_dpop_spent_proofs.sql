CREATE TABLE "platform"."dpop_spent_proofs" (
	"jti_hash" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "dpop_spent_proofs_expires_idx" ON "platform"."dpop_spent_proofs" USING btree ("expires_at");