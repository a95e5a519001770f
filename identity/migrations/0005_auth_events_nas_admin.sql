CREATE TABLE "identity"."auth_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"result" text NOT NULL,
	"reason" text NOT NULL,
	"method" text,
	"username" text,
	"user_id" uuid,
	"institution_id" uuid,
	"imsi" text,
	"client_id" uuid,
	"client_name" text,
	"source" text,
	"count" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "identity"."radius_clients" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "identity"."radius_clients" ADD COLUMN "secret_rotated_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "auth_events_at_idx" ON "identity"."auth_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "auth_events_institution_idx" ON "identity"."auth_events" USING btree ("institution_id","at");--> statement-breakpoint
CREATE INDEX "auth_events_client_idx" ON "identity"."auth_events" USING btree ("client_id","at");--> statement-breakpoint
CREATE INDEX "auth_events_user_idx" ON "identity"."auth_events" USING btree ("user_id","at");