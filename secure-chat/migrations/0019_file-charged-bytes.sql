-- What each file was charged against its institution's quota when it was reserved, so its deletion releases
-- exactly that (it released chargedBytes(size) under today's rule, so a file from before the 4 KiB minimum —
-- reserved at its size — released up to 4 KiB more than it had taken).
--
-- Backfill: until the minimum came in (secure-chat, 2026-12-07: "each file counts at least 4 KiB against the
-- quota and share") a file was charged its size; since, greatest(size, 4096). The rows do not say which
-- release created them (created_at is not when a node was upgraded), so every live row gets its size: the
-- one rule that never releases more than was reserved (which would hand an institution quota it does not
-- have). A file under 4 KiB created by the release with the minimum, before this migration, stays counted by
-- at most 4095 bytes after its deletion: the error goes the safe way, and is bounded by those few files.
--
-- Deleted rows (tombstones) are left null: their charge was released when they were deleted and is read
-- again by nothing, so rewriting them would only cost the upgrade time.
--
-- The column stays nullable: a node of an earlier release, during a rolling upgrade, inserts files without
-- it, charged their size or greatest(size, 4096) depending on its code; the service counts a null as the
-- size (fileCharge), for the same reason as this backfill, and the files sweep's reconciliation recomputes
-- each institution's usage from the rows, correcting the difference.
ALTER TABLE "secure_chat"."chat_files" ADD COLUMN "charged_bytes" bigint;--> statement-breakpoint
UPDATE "secure_chat"."chat_files" SET "charged_bytes" = "size_bytes" WHERE "state" <> 'deleted';
