// Public face of @pakawaaz/mqtt-reconnect: the only module other packages may import.
export { type Backoff, fullJitterDelay, reconnectWithJitter } from './mqtt-reconnect.js';
