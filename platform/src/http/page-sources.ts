/**
 * Origins the officials' web chat (`/chat/`) may connect to besides its own, for its Content-Security-Policy's
 * `connect-src`: the domains that run those services set them (calls: the media hosts' Janus WebSocket URLs),
 * the server's security headers read them per response. Only ws:, wss: and https: origins are kept (never a path,
 * a query or anything a policy could be broken with); the list is the union over owners, sorted.
 */
export class PageConnectSources {
  private readonly byOwner = new Map<string, readonly string[]>();

  set(owner: string, urls: readonly string[]): void {
    const origins = urls.flatMap((u) => {
      const url = URL.canParse(u) ? new URL(u) : null;
      return url && ['ws:', 'wss:', 'https:'].includes(url.protocol) ? [url.origin] : [];
    });
    this.byOwner.set(owner, [...new Set(origins)].sort());
  }

  list(): string[] {
    return [...new Set([...this.byOwner.values()].flat())].sort();
  }
}
