/*
 * Loads a freeDiameter configuration with the real libfdcore (the one Open5GS links): parses it, checks the
 * local TLS certificate against TLS_CA (GnuTLS) and loads every extension. Given a peer identity, it also
 * starts the Diameter core and waits until that peer's connection is OPEN (CER/CEA done, over TLS when
 * configured), or fails after the timeout.
 *
 *   fdcheck CONF                    exit 0 when the configuration loads
 *   fdcheck CONF PEER-ID SECONDS    exit 0 when PEER-ID reaches STATE_OPEN within SECONDS
 *
 * Declared here rather than included: installs ship libfdcore without its headers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct peer_hdr;
extern int fd_core_initialize(void);
extern int fd_core_parseconf(const char *conffile);
extern int fd_core_start(void);
extern int fd_core_shutdown(void);
extern int fd_core_wait_shutdown_complete(void);
extern int fd_peer_getbyid(char *diamid, size_t diamidlen, int igncase, struct peer_hdr **peer);
extern int fd_peer_get_state(struct peer_hdr *peer);

#define STATE_OPEN 1 /* enum peer_state, libfdcore.h */

int main(int argc, char **argv) {
  if (argc != 2 && argc != 4) {
    fprintf(stderr, "usage: fdcheck CONF [PEER-ID SECONDS]\n");
    return 2;
  }
  if (fd_core_initialize() != 0) return 3;
  int r = fd_core_parseconf(argv[1]);
  printf("parseconf %d\n", r);
  if (r != 0 || argc == 2) return r == 0 ? 0 : 1;
  if (fd_core_start() != 0) return 4;
  int tenths = atoi(argv[3]) * 10;
  int open = 0;
  for (int i = 0; i < tenths && !open; i++) {
    struct peer_hdr *peer = NULL;
    if (fd_peer_getbyid(argv[2], strlen(argv[2]), 1, &peer) == 0 && peer != NULL &&
        fd_peer_get_state(peer) == STATE_OPEN)
      open = 1;
    else
      usleep(100000);
  }
  printf("peer %s %s\n", argv[2], open ? "OPEN" : "not open");
  fflush(stdout);
  /* Let the other side see the connection open too before this one goes away. */
  if (open) sleep(2);
  fd_core_shutdown();
  fd_core_wait_shutdown_complete();
  return open ? 0 : 1;
}
