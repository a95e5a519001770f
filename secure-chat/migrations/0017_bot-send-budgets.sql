CREATE TABLE "secure_chat"."bot_send_budgets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "bot_send_budgets_at_idx" ON "secure_chat"."bot_send_budgets" USING btree ("at");