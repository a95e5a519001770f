CREATE TABLE "secure_chat"."claimed_key_packages" (
	"ref" text NOT NULL,
	"claimed_by" uuid NOT NULL,
	"last_resort" boolean NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "claimed_key_packages_ref_claimed_by_pk" PRIMARY KEY("ref","claimed_by")
);
--> statement-breakpoint
CREATE INDEX "claimed_key_packages_not_after_idx" ON "secure_chat"."claimed_key_packages" USING btree ("not_after");