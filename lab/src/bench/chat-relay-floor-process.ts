import { startFloorRelay, type RelayStart } from './chat-relay-floor.js';

// The transport floor's process (chat-relay-floor.ts). IPC: `start` is answered with the port; `stop` exits,
// and so does losing the bench (its channel closes when it exits, however it ends).
process.on('disconnect', () => process.exit(0));
process.on('message', (m: (RelayStart & { cmd: 'start' }) | { cmd: 'stop' }) => {
  if (m.cmd === 'stop') process.exit(0);
  void startFloorRelay(m).then((port) => process.send!({ port }));
});
