ALTER TABLE "secure_chat"."key_packages" ADD COLUMN "cert_thumbprint" text;
--> statement-breakpoint
-- Packages stored before: their certificate's thumbprint (RFC 8705 x5t#S256, base64url SHA-256 of the DER).
UPDATE "secure_chat"."key_packages"
	SET "cert_thumbprint" = rtrim(translate(encode(sha256("certificate"), 'base64'), '+/', '-_'), '=');
--> statement-breakpoint
ALTER TABLE "secure_chat"."key_packages" ALTER COLUMN "cert_thumbprint" SET NOT NULL;
