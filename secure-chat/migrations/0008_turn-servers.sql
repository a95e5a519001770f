CREATE TABLE "secure_chat"."turn_servers" (
	"server" text PRIMARY KEY NOT NULL,
	"health" text DEFAULT 'unknown' NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"detail" text,
	"rtt_ms" integer,
	"checked_at" timestamp with time zone
);
