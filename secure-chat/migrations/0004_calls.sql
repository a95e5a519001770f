CREATE TABLE "secure_chat"."call_participants" (
	"call_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"user_id" text NOT NULL,
	"participant_id" bigint NOT NULL,
	"state" text NOT NULL,
	"joined_at" timestamp with time zone NOT NULL,
	"left_at" timestamp with time zone,
	CONSTRAINT "call_participants_call_id_device_id_pk" PRIMARY KEY("call_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."calls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"group_id" text NOT NULL,
	"host_id" uuid NOT NULL,
	"room_id" bigint NOT NULL,
	"started_by_device" text NOT NULL,
	"started_by_user" text NOT NULL,
	"state" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."media_hosts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"ws_url" text NOT NULL,
	"admin_url" text NOT NULL,
	"admin_secret_sealed" text NOT NULL,
	"capacity" integer NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"embedded" boolean DEFAULT false NOT NULL,
	"health" text DEFAULT 'unknown' NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"health_detail" text,
	"janus_version" text,
	"sessions" integer,
	"checked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "media_hosts_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE INDEX "call_participants_device" ON "secure_chat"."call_participants" USING btree ("device_id");--> statement-breakpoint
CREATE UNIQUE INDEX "calls_one_live_per_group" ON "secure_chat"."calls" USING btree ("group_id") WHERE "secure_chat"."calls"."state" = 'live';--> statement-breakpoint
CREATE INDEX "calls_host_live" ON "secure_chat"."calls" USING btree ("host_id") WHERE "secure_chat"."calls"."state" = 'live';