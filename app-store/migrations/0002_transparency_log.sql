CREATE TABLE "app_store"."log_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"note" text NOT NULL,
	"signed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_store"."log_leaves" (
	"index" bigint PRIMARY KEY NOT NULL,
	"leaf_hash" text NOT NULL,
	"apk_sha256" text NOT NULL,
	"package_name" text NOT NULL,
	"version_code" bigint NOT NULL,
	"signers" text[] NOT NULL,
	"version_id" uuid NOT NULL,
	"appended_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "log_leaves_apk_sha256_unique" UNIQUE("apk_sha256")
);
--> statement-breakpoint
CREATE TABLE "app_store"."log_nodes" (
	"level" integer NOT NULL,
	"index" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "log_nodes_level_index_pk" PRIMARY KEY("level","index")
);
