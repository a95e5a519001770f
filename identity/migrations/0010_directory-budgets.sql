CREATE TABLE "identity"."directory_budgets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "directory_budgets_at_idx" ON "identity"."directory_budgets" USING btree ("at");