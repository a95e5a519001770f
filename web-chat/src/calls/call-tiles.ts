// The call's participants on screen: one list item per remote publisher, named after its official, with their
// video — or, in a voice call, their audio only (no tile to watch, just who is there). A Janus feed id is the
// participant id the server issued at join, so the call's record (`GET /api/v1/chat/calls/{callId}`) says
// whose feed it is; the feed's own `display` (which any participant may set) is never used.
import type { CallView } from '../../../lab/src/chat/chat-calls.ts';

export class CallTiles {
  private readonly items = new Map<number, HTMLLIElement>();
  /** participantId → userId, from the call's record (looked up again for a feed it does not know). */
  private readonly owners = new Map<number, string>();

  constructor(
    private readonly list: HTMLElement,
    private readonly name: (userId: string) => string,
    private readonly record: () => Promise<CallView | null>,
  ) {}

  has(feed: number): boolean {
    return this.items.has(feed);
  }

  get feeds(): number[] {
    return [...this.items.keys()];
  }

  /** A participant's tile: their name and their tracks (`video`: show the video, else play the audio only). */
  async add(feed: number, tracks: MediaStreamTrack[], video: boolean): Promise<void> {
    if (!this.owners.has(feed))
      for (const p of (await this.record().catch(() => null))?.participants ?? [])
        this.owners.set(p.participantId, p.userId);
    const owner = this.owners.get(feed);
    const who = owner ? this.name(owner) : 'A participant';
    const li = document.createElement('li');
    li.dataset.feed = String(feed);
    if (owner) li.dataset.userId = owner;
    const media = document.createElement(video ? 'video' : 'audio');
    media.autoplay = true;
    if (media instanceof HTMLVideoElement) media.playsInline = true;
    media.setAttribute('aria-label', video ? `${who}’s video` : `${who}’s voice`);
    media.srcObject = new MediaStream(tracks);
    const caption = document.createElement('span');
    caption.textContent = who;
    li.append(media, caption);
    this.items.get(feed)?.remove();
    this.items.set(feed, li);
    this.list.append(li);
  }

  /** The feeds on screen whose participant the call's record no longer has joined (left, taken out). */
  async departed(): Promise<number[]> {
    const record = await this.record().catch(() => null);
    if (!record) return [];
    const joined = new Set(
      record.participants.filter((p) => p.state === 'joined').map((p) => p.participantId),
    );
    return this.feeds.filter((f) => !joined.has(f));
  }

  remove(feed: number): void {
    this.items.get(feed)?.remove();
    this.items.delete(feed);
  }

  clear(): void {
    for (const li of this.items.values()) li.remove();
    this.items.clear();
    this.owners.clear();
  }
}
