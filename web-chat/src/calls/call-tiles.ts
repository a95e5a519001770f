// The call's participants on screen: one list item per remote publisher, named after its official, with their
// video — or, in a voice call, their audio only (no tile to watch, just who is there). A Janus feed id is the
// participant id the server issued at join, but Janus does not bind it to the join token: a member may
// publish under another's id. So a feed is named only after a participant the call's record
// (`GET /api/v1/chat/calls/{callId}`) has `joined` — the server kicks any other — and an unknown feed gets a
// neutral label, never a borrowed name; the feed's own `display` (which any participant may set) is never used.
import type { CallView } from '../../../lab/src/chat/chat-calls.ts';

export const UNKNOWN_PARTICIPANT = 'Unknown participant';

/** The official whose feed this is: the userId of the record's participant with this id, if it is `joined`. */
export function feedOwner(record: Pick<CallView, 'participants'> | null, feed: number): string | null {
  const p = record?.participants.find((x) => x.participantId === feed && x.state === 'joined');
  return p?.userId ?? null;
}

/** The feeds on screen whose participant the record does not have joined (left, taken out, or never issued). */
export function departedFeeds(record: Pick<CallView, 'participants'>, feeds: readonly number[]): number[] {
  return feeds.filter((f) => feedOwner(record, f) === null);
}

export class CallTiles {
  private readonly items = new Map<number, HTMLLIElement>();
  /** The call's record as last read (read again for a feed it does not have joined, and at every poll). */
  private last: CallView | null = null;

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
    if (!feedOwner(this.last, feed)) this.last = (await this.record().catch(() => null)) ?? this.last;
    const li = document.createElement('li');
    li.dataset.feed = String(feed);
    const media = document.createElement(video ? 'video' : 'audio');
    media.autoplay = true;
    if (media instanceof HTMLVideoElement) media.playsInline = true;
    media.srcObject = new MediaStream(tracks);
    li.append(media, document.createElement('span'));
    this.label(li, feed);
    this.items.get(feed)?.remove();
    this.items.set(feed, li);
    this.list.append(li);
  }

  /**
   * Reads the call's record again (every poll, and on a `call-left` signal): the feeds on screen whose
   * participant it does not have joined, to take off; the others are labelled again from it.
   */
  async departed(): Promise<number[]> {
    const record = await this.record().catch(() => null);
    if (!record) return [];
    this.last = record;
    for (const [feed, li] of this.items) this.label(li, feed);
    return departedFeeds(record, this.feeds);
  }

  remove(feed: number): void {
    this.items.get(feed)?.remove();
    this.items.delete(feed);
  }

  clear(): void {
    for (const li of this.items.values()) li.remove();
    this.items.clear();
    this.last = null;
  }

  private label(li: HTMLLIElement, feed: number): void {
    const owner = feedOwner(this.last, feed);
    const who = owner ? this.name(owner) : UNKNOWN_PARTICIPANT;
    if (owner) li.dataset.userId = owner;
    else delete li.dataset.userId;
    const media = li.querySelector('video, audio');
    media?.setAttribute(
      'aria-label',
      media instanceof HTMLVideoElement ? `${who}’s video` : `${who}’s voice`,
    );
    const caption = li.querySelector('span');
    if (caption) caption.textContent = who;
  }
}
