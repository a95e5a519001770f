CREATE TABLE "secure_chat"."groups" (
	"group_id" text PRIMARY KEY NOT NULL,
	"epoch" bigint NOT NULL,
	"group_info" "bytea" NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."sends" (
	"device_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sends_device_id_client_id_pk" PRIMARY KEY("device_id","client_id")
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."device_queue" (
	"device_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"group_id" text NOT NULL,
	"sender_device" uuid,
	"kind" text NOT NULL,
	"body" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_queue_device_id_seq_pk" PRIMARY KEY("device_id","seq")
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."device_seq" (
	"device_id" uuid PRIMARY KEY NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."group_members" (
	"group_id" text NOT NULL,
	"leaf_index" integer NOT NULL,
	"device_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "group_members_group_id_leaf_index_pk" PRIMARY KEY("group_id","leaf_index")
);
--> statement-breakpoint
CREATE TABLE "secure_chat"."key_packages" (
	"ref" text PRIMARY KEY NOT NULL,
	"device_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"institution_id" uuid,
	"last_resort" boolean NOT NULL,
	"key_package" "bytea" NOT NULL,
	"certificate" "bytea" NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "group_members_device_idx" ON "secure_chat"."group_members" USING btree ("device_id");--> statement-breakpoint
CREATE INDEX "key_packages_device_idx" ON "secure_chat"."key_packages" USING btree ("device_id","last_resort");