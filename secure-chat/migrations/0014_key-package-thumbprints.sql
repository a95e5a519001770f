-- Each package's certificate thumbprint (RFC 8705 x5t#S256: base64url SHA-256 of the DER, as the server computes
-- DevicePrincipal.certThumbprint), computed by the database: the rows stored before get theirs as the column is
-- added, and a node of the previous release, which inserts without it, still stores packages during a rolling upgrade.
ALTER TABLE "secure_chat"."key_packages" ADD COLUMN "cert_thumbprint" text GENERATED ALWAYS AS (rtrim(translate(encode(sha256(certificate), 'base64'), '+/', '-_'), '=')) STORED NOT NULL;
