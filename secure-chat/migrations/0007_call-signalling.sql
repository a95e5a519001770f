CREATE TABLE "secure_chat"."call_invitees" (
	"call_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"user_id" text NOT NULL,
	"state" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "call_invitees_call_id_device_id_pk" PRIMARY KEY("call_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "secure_chat"."calls" ADD COLUMN "kind" text DEFAULT 'voice' NOT NULL;--> statement-breakpoint
ALTER TABLE "secure_chat"."calls" ADD COLUMN "institutions" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "secure_chat"."calls" ADD COLUMN "ring_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "secure_chat"."calls" ADD COLUMN "answered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "secure_chat"."calls" ADD COLUMN "outcome" text;--> statement-breakpoint
CREATE INDEX "call_invitees_device" ON "secure_chat"."call_invitees" USING btree ("device_id");--> statement-breakpoint
CREATE INDEX "calls_started_at" ON "secure_chat"."calls" USING btree ("started_at");