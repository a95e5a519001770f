CREATE TABLE "identity"."eap_identities" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"method" text NOT NULL,
	"imsi" text NOT NULL,
	"counter" integer DEFAULT 0 NOT NULL,
	"sealed_keys" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "eap_identities_imsi_idx" ON "identity"."eap_identities" USING btree ("imsi","method");--> statement-breakpoint
CREATE INDEX "eap_identities_expiry_idx" ON "identity"."eap_identities" USING btree ("expires_at");