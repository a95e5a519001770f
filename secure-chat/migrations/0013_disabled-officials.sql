CREATE TABLE "secure_chat"."disabled_officials" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"disabled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Officials disabled before this table existed, as far as chat recorded them: those whose devices it took out for it.
INSERT INTO "secure_chat"."disabled_officials" ("user_id")
	SELECT DISTINCT "user_id" FROM "secure_chat"."removed_devices"
	WHERE "reason" = 'user_disabled' AND "user_id" IS NOT NULL
	ON CONFLICT DO NOTHING;
