CREATE TABLE "identity"."institution_visibility" (
	"institution_id" uuid NOT NULL,
	"visible_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "institution_visibility_institution_id_visible_id_pk" PRIMARY KEY("institution_id","visible_id")
);
--> statement-breakpoint
CREATE TABLE "identity"."passkeys" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"public_key" "bytea" NOT NULL,
	"counter" bigint DEFAULT 0 NOT NULL,
	"transports" text[] NOT NULL,
	"device_type" text NOT NULL,
	"backed_up" boolean NOT NULL,
	"aaguid" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "identity"."recovery_codes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"hash" text NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity"."totp_factors" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"sealed_secret" text NOT NULL,
	"status" text NOT NULL,
	"last_used_step" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "identity"."webauthn_challenges" (
	"challenge" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"user_id" uuid,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity"."radius_accounting" (
	"id" uuid PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"client_id" uuid NOT NULL,
	"acct_session_id" text NOT NULL,
	"status_type" text NOT NULL,
	"username" text,
	"user_id" uuid,
	"imsi" text,
	"nas_ip" text,
	"nas_identifier" text,
	"calling_station_id" text,
	"framed_ip" text,
	"session_time_seconds" integer,
	"input_octets" bigint,
	"output_octets" bigint,
	"terminate_cause" text,
	"event_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "radius_accounting_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "identity"."radius_clients" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"cidr" text NOT NULL,
	"sealed_secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "radius_clients_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "identity"."refresh_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "refresh_tokens_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
CREATE TABLE "identity"."sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"amr" text[] NOT NULL,
	"acr" text NOT NULL,
	"cert_thumbprint" text,
	"ip" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"idle_timeout_seconds" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text
);
--> statement-breakpoint
CREATE TABLE "identity"."users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"kind" text NOT NULL,
	"display_name" text NOT NULL,
	"designation" text,
	"institution_id" uuid,
	"email" text,
	"phone" text,
	"roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"status_reason" text,
	"password_hash" text NOT NULL,
	"must_change_password" boolean DEFAULT false NOT NULL,
	"password_changed_at" timestamp with time zone,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
ALTER TABLE "identity"."institutions" ADD COLUMN "kind" text DEFAULT 'ministry' NOT NULL;--> statement-breakpoint
ALTER TABLE "identity"."institutions" ADD COLUMN "parent_id" uuid;--> statement-breakpoint
ALTER TABLE "identity"."institutions" ADD COLUMN "rollout_phase" text DEFAULT 'pilot' NOT NULL;--> statement-breakpoint
ALTER TABLE "identity"."institutions" ADD COLUMN "directory_scope" text DEFAULT 'hierarchy' NOT NULL;--> statement-breakpoint
ALTER TABLE "identity"."institutions" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "passkeys_user_idx" ON "identity"."passkeys" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "recovery_codes_user_idx" ON "identity"."recovery_codes" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "radius_accounting_user_idx" ON "identity"."radius_accounting" USING btree ("user_id","event_at");--> statement-breakpoint
CREATE INDEX "radius_accounting_imsi_idx" ON "identity"."radius_accounting" USING btree ("imsi","event_at");--> statement-breakpoint
CREATE INDEX "radius_accounting_session_idx" ON "identity"."radius_accounting" USING btree ("acct_session_id");--> statement-breakpoint
CREATE INDEX "refresh_tokens_session_idx" ON "identity"."refresh_tokens" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "identity"."sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "users_institution_idx" ON "identity"."users" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "users_kind_idx" ON "identity"."users" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "users_display_name_idx" ON "identity"."users" USING btree (lower("display_name"));--> statement-breakpoint
CREATE INDEX "institutions_parent_idx" ON "identity"."institutions" USING btree ("parent_id");--> statement-breakpoint
-- NOC operators become users of kind 'operator' (officials and operators share credentials and factors).
INSERT INTO "identity"."users" ("id", "username", "kind", "display_name", "institution_id", "roles", "status", "password_hash", "created_at", "updated_at", "last_login_at")
SELECT "id", lower("username"), 'operator', "display_name", "institution_id", "roles", "status", "password_hash", "created_at", "created_at", "last_login_at" FROM "identity"."operators";
