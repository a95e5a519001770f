-- Static IPv4 addresses were not checked for uniqueness before this release: stop with a message that names
-- the shared addresses (rather than PostgreSQL's bare unique violation) so the operator can fix them first.
DO $$
DECLARE shared text;
BEGIN
  SELECT string_agg(format('%s (%s subscribers)', d.static_ipv4, d.n), ', ') INTO shared
  FROM (SELECT static_ipv4, count(*) AS n FROM "core_network"."subscribers"
        WHERE static_ipv4 IS NOT NULL GROUP BY static_ipv4 HAVING count(*) > 1) d;
  IF shared IS NOT NULL THEN
    RAISE EXCEPTION 'Several subscribers share a static IPv4 address: %. Give each its own address with the previous release (PATCH /api/v1/subscribers/{imsi} or the NOC), then upgrade.', shared;
  END IF;
END $$;
--> statement-breakpoint
CREATE UNIQUE INDEX "subscribers_static_ipv4_key" ON "core_network"."subscribers" USING btree ("static_ipv4");
