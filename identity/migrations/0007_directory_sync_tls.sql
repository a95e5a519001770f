ALTER TABLE "identity"."directory_syncs" ADD COLUMN "start_tls" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "identity"."directory_syncs" ADD COLUMN "allow_plaintext" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "identity"."directory_syncs" ADD COLUMN "ca_certificates" text;--> statement-breakpoint
-- Directories added before TLS options existed keep working as they did (plain ldap://), now marked as such.
UPDATE "identity"."directory_syncs" SET "allow_plaintext" = true WHERE "url" LIKE 'ldap://%';
