-- What each file was charged against its institution's quota when it was reserved, so its deletion releases
-- exactly that (it released chargedBytes(size) under today's rule, so a file from before the 4 KiB minimum —
-- reserved at its size — released up to 4 KiB more than it had taken).
--
-- Backfill: until the minimum came in (secure-chat, 2026-12-07: "each file counts at least 4 KiB against the
-- quota and share") a file was charged its size; since, greatest(size, 4096). The rows do not say which
-- release created them (created_at is not when a node was upgraded), so every existing row gets its size: the
-- one rule that never releases more than was reserved (which would hand an institution quota it does not
-- have). A file under 4 KiB created by the release with the minimum, before this migration, stays counted by
-- at most 4095 bytes after its deletion: the error goes the safe way, and is bounded by those few files.
--
-- The column stays nullable: a node of the previous release, during a rolling upgrade, inserts files without
-- it, and charged them greatest(size, 4096); the service releases that for a null (fileCharge).
ALTER TABLE "secure_chat"."chat_files" ADD COLUMN "charged_bytes" bigint;--> statement-breakpoint
UPDATE "secure_chat"."chat_files" SET "charged_bytes" = "size_bytes";
