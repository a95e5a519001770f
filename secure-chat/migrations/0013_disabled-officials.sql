CREATE TABLE "secure_chat"."disabled_officials" (
	"user_id" text PRIMARY KEY NOT NULL,
	"disabled_at" timestamp with time zone DEFAULT now() NOT NULL
);
