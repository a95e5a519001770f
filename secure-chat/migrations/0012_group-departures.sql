CREATE TABLE "secure_chat"."group_departures" (
	"group_id" text NOT NULL,
	"device_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"leaf_index" integer NOT NULL,
	"epoch" bigint NOT NULL,
	"settled" boolean DEFAULT false NOT NULL,
	"departed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_departures_group_id_device_id_pk" PRIMARY KEY("group_id","device_id")
);
