// The call panel: the conversation's Call button, an incoming call's Accept / Decline, Hang up, and the video
// tiles (this browser's camera, one per remote publisher). State is call-state.ts's reducer; this file does
// the I/O: the SDK's signalling (ChatClient.calls), the media (calls/call-media.ts) and the SFrame epochs,
// derived from the conversation's MLS group state and fed to the worker again whenever its epoch changes.
import { sframeEpochOf } from '../../lab/src/calls/mls-sframe.ts';
import type { CallJoin, CallSignal } from '../../lab/src/chat/chat-calls.ts';
import type { ChatClient } from '../../lab/src/chat/chat-client.ts';
import { CallMedia, type Subscription } from './calls/call-media.ts';
import {
  callReducer,
  describeCall,
  idle,
  inCall,
  busyFor,
  type CallAction,
  type CallState,
} from './calls/call-state.ts';
import workerUrl from './calls/sframe-worker.ts?worker&url';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const POLL_MS = 1_000;

export class CallScreen {
  private state: CallState = idle;
  private client: ChatClient | null = null;
  private media: CallMedia | null = null;
  private local: MediaStream | null = null;
  private epoch: bigint | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;
  private readonly tiles = new Map<number, HTMLVideoElement>();

  constructor(
    private readonly me: string,
    private readonly name: (userId: string) => string,
    /** The conversation on screen (the Call button calls its group). */
    private readonly current: () => string | null,
    private readonly fail: (e: unknown) => void,
  ) {
    $('call-start').addEventListener('click', () => this.place());
    $('call-accept').addEventListener('click', () => this.accept());
    $('call-decline').addEventListener('click', () => this.decline());
    $('call-hangup').addEventListener('click', () => this.hangUp());
    $('call-dismiss').addEventListener('click', () => this.dispatch({ type: 'dismiss' }));
  }

  attach(client: ChatClient): void {
    this.client = client;
    this.render();
  }

  /** The SDK's call signals. */
  readonly onSignal = (signal: CallSignal): void => {
    if (this.client && busyFor(this.state, signal, this.me)) {
      this.client.calls.busy(signal.callId).catch(() => undefined);
      return;
    }
    this.dispatch({ type: 'signal', signal, me: this.me });
  };

  /** Any chat event: a commit in the call's group is a new epoch, whose SFrame keys the worker needs. */
  readonly onChatEvent = (): void => void this.feedEpoch().catch(this.fail);

  private dispatch(a: CallAction): void {
    const before = this.state;
    this.state = callReducer(before, a);
    if (inCall(before) && !inCall(this.state)) this.closeMedia();
    this.render();
  }

  private place(): void {
    const groupId = this.current();
    if (!groupId || !this.client) return this.fail(new Error('open a conversation first'));
    this.dispatch({ type: 'place', groupId });
    if (this.state.phase !== 'calling') return;
    const calls = this.client.calls;
    const run = async () => {
      // Starting the call joins this device; its room takes our media while the others are rung.
      const placed = await calls.place(groupId, 'video');
      this.dispatch({ type: 'placed', callId: placed.join.callId, outcome: placed.outcome });
      if (inCall(this.state)) await this.joinMedia(placed.join);
      else if (this.state.phase === 'over' && this.state.why === 'hung-up')
        await calls.hangUp(placed.join.callId);
    };
    run().catch((e) => this.failed(e));
  }

  private accept(): void {
    const s = this.state;
    if (s.phase !== 'ringing' || !this.client) return;
    this.dispatch({ type: 'accept' });
    const calls = this.client.calls;
    const run = async () => {
      await this.joinMedia(await calls.accept(s.callId));
      this.dispatch({ type: 'joined' });
    };
    run().catch((e) => this.failed(e));
  }

  private decline(): void {
    const s = this.state;
    if (s.phase !== 'ringing' || !this.client) return;
    this.dispatch({ type: 'decline' });
    this.client.calls.decline(s.callId).catch(this.fail);
  }

  private hangUp(): void {
    const s = this.state;
    if (!inCall(s) || s.phase === 'idle' || !this.client) return;
    this.dispatch({ type: 'hang-up' });
    // Before the call id is known there is nothing to leave yet: place() sees the state and stops.
    if (s.callId) this.client.calls.hangUp(s.callId).catch(this.fail);
  }

  private failed(e: unknown): void {
    const s = this.state;
    this.dispatch({ type: 'failed', reason: e instanceof Error ? e.message : String(e) });
    if (s.phase !== 'idle' && s.phase !== 'over' && s.callId && this.client)
      this.client.calls.hangUp(s.callId).catch(() => undefined);
  }

  private async joinMedia(join: CallJoin): Promise<void> {
    const ice: RTCIceServer[] = join.turn
      ? [{ urls: join.turn.urls, username: join.turn.username, credential: join.turn.credential }]
      : [];
    const local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const media = await CallMedia.join(join.janus, workerUrl, ice);
    if (!inCall(this.state) || this.state.phase === 'idle' || this.state.callId !== join.callId) {
      media.close(); // hung up or ended while joining
      for (const t of local.getTracks()) t.stop();
      return;
    }
    this.media = media;
    this.local = local;
    this.epoch = null;
    await this.feedEpoch(); // before the first frame: the worker sends nothing without a key
    const video = $<HTMLVideoElement>('call-local');
    video.srcObject = local;
    await media.publish(local);
    this.poll = setInterval(() => void this.follow().catch(this.fail), POLL_MS);
    await this.follow();
  }

  /** Subscribes to publishers not yet on screen; drops the tiles of those who left. */
  private async follow(): Promise<void> {
    const media = this.media;
    if (!media) return;
    for (const feed of media.publishers) {
      if (this.tiles.has(feed)) continue;
      const video = document.createElement('video');
      this.tiles.set(feed, video);
      const sub = (await media.subscribe(feed).catch(() => null)) as Subscription | null;
      // A refused subscription (a reply, not a Subscription: the feed went away) is not in the list.
      if (!sub || !media.subscriptions.includes(sub) || this.media !== media) {
        this.tiles.delete(feed);
        if (sub) media.publishers.delete(feed);
        continue;
      }
      video.autoplay = true;
      video.playsInline = true;
      video.dataset.feed = String(feed);
      video.setAttribute('aria-label', 'A participant’s video');
      video.srcObject = new MediaStream(sub.pc.getReceivers().flatMap((r) => (r.track ? [r.track] : [])));
      $('call-tiles').append(video);
    }
    for (const s of media.subscriptions)
      if (s.ended && this.tiles.has(s.feed)) {
        this.tiles.get(s.feed)!.remove();
        media.publishers.delete(s.feed);
        this.tiles.delete(s.feed);
      }
  }

  /** The call's group's current epoch → its SFrame keys, once per epoch (the ring keeps the last one 10 s). */
  private async feedEpoch(): Promise<void> {
    const s = this.state;
    const media = this.media;
    const core = this.client?.core;
    if (!media || !core || s.phase === 'idle') return;
    const entry = core.groups.get(s.groupId);
    if (!entry || entry.state.groupContext.epoch === this.epoch) return;
    this.epoch = entry.state.groupContext.epoch;
    const e = await sframeEpochOf(entry.state, core.cs);
    media.setEpoch({ ...e, epoch: e.epoch.toString(), baseKey: [...e.baseKey] });
  }

  private closeMedia(): void {
    clearInterval(this.poll);
    this.media?.close();
    this.media = null;
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = null;
    $<HTMLVideoElement>('call-local').srcObject = null;
    for (const v of this.tiles.values()) v.remove();
    this.tiles.clear();
  }

  private render(): void {
    const s = this.state;
    const status = $('call-status');
    status.textContent = describeCall(s, this.name);
    status.dataset.phase = s.phase;
    status.dataset.reason = s.phase === 'over' ? (s.reason ?? s.why) : '';
    $('call').hidden = s.phase === 'idle';
    $('call-start').toggleAttribute('disabled', s.phase !== 'idle' && s.phase !== 'over');
    $('call-accept').hidden = $('call-decline').hidden = s.phase !== 'ringing';
    $('call-hangup').hidden = !inCall(s);
    $('call-dismiss').hidden = s.phase !== 'over';
    $('call-media').hidden = !inCall(s);
  }
}
