CREATE TABLE "platform"."dead_letters" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" text,
	"type" text NOT NULL,
	"consumer" text NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"payload" text NOT NULL,
	"attempts" integer NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_consumer_event_idx" ON "platform"."dead_letters" USING btree ("consumer","event_id");--> statement-breakpoint
CREATE INDEX "dead_letters_received_at_idx" ON "platform"."dead_letters" USING btree ("received_at");