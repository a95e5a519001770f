CREATE TABLE "core_network"."sim_import_blocks" (
	"job_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"first_line" integer NOT NULL,
	"last_line" integer NOT NULL,
	"data_enc" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sim_import_blocks_job_id_seq_pk" PRIMARY KEY("job_id","seq")
);
--> statement-breakpoint
ALTER TABLE "core_network"."sim_import_jobs" ADD COLUMN "source_header" text;--> statement-breakpoint
ALTER TABLE "core_network"."sim_import_jobs" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;