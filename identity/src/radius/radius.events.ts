import { defineConsumer, defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';

/** A NAS client was added or removed: every node reloads its in-memory client table. */
export const RadiusClientChanged = defineEvent('identity.radius-client.changed', z.object({}), {
  examples: [{}],
});

export const RADIUS_CLIENTS_CONSUMER = defineConsumer({
  name: 'identity.radius-clients',
  delivery: 'broadcast',
  filter: RadiusClientChanged.type,
  expects: [RadiusClientChanged],
});

/** The per-start durables of earlier versions (`identity-radius-clients-<uuid>`), deleted at start-up. */
export const RETIRED_RADIUS_CLIENTS_CONSUMERS =
  /^identity-radius-clients-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
