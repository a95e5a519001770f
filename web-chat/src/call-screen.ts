// The call panel: the conversation's Call (video) and Voice call buttons, an incoming call's Accept / Decline
// (or Join call), Hang up, Share screen, and the participants (this browser's camera, one named tile per remote
// publisher). State is call-state.ts's reducer; this file does the I/O: the SDK's signalling (ChatClient.calls),
// the media (calls/call-media.ts) and the SFrame epochs, derived from the conversation's MLS group state and fed
// to the worker again whenever its epoch changes.
import { sframeEpochOf } from '../../lab/src/calls/mls-sframe.ts';
import type { CallJoin, CallKind, CallSignal } from '../../lab/src/chat/chat-calls.ts';
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
import { CallTiles } from './calls/call-tiles.ts';
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
  /** What this call carries: a voice call asks for no camera and shows names, not video tiles. */
  private kind: CallKind = 'video';
  /** The shared screen's track while it replaces the camera. */
  private screen: MediaStreamTrack | null = null;
  private readonly tiles: CallTiles;
  private readonly joining = new Set<number>();
  /** This browser's last hang-up, until the server answered it. */
  private leaving: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly me: string,
    private readonly name: (userId: string) => string,
    /** The conversation on screen (the Call button calls its group). */
    private readonly current: () => string | null,
    private readonly fail: (e: unknown) => void,
  ) {
    this.tiles = new CallTiles($('call-tiles'), name, () => this.record());
    $('call-start').addEventListener('click', () => this.place('video'));
    $('call-start-voice').addEventListener('click', () => this.place('voice'));
    $('call-share').addEventListener('click', () => void this.share().catch(this.fail));
    $('call-accept').addEventListener('click', () => this.accept());
    $('call-join').addEventListener('click', () => this.accept());
    $('call-decline').addEventListener('click', () => this.decline());
    $('call-hangup').addEventListener('click', () => this.hangUp());
    $('call-dismiss').addEventListener('click', () => this.dispatch({ type: 'dismiss' }));
  }

  attach(client: ChatClient): void {
    this.client = client;
    this.render();
  }

  /**
   * A conversation opened (or the chat reconnected): its group's live call, if this browser was not rung for
   * it (in the group since the call started, back after its ring time, reloaded), is offered to join.
   */
  lookLive(groupId: string): void {
    const client = this.client;
    if (!client) return;
    void this.leaving
      .then(() => client.calls.live(groupId)) // after a hang-up here, the call as the server has it now
      .then(([call]) => {
        if (this.current() !== groupId) return; // another conversation opened meanwhile
        this.dispatch({
          type: 'live',
          groupId,
          call: call ? { callId: call.callId, kind: call.kind } : null,
        });
      })
      .catch(this.fail);
  }

  /** The SDK's call signals. */
  readonly onSignal = (signal: CallSignal): void => {
    if (this.client && busyFor(this.state, signal, this.me)) {
      this.client.calls.busy(signal.callId).catch(() => undefined);
      return;
    }
    this.dispatch({ type: 'signal', signal, me: this.me });
    // Someone hung up or was taken out: the call's record says whose tile goes (whatever Janus told us).
    if (signal.type === 'call-left' && this.media && this.callId() === signal.callId)
      void this.tiles.departed().then((feeds) => feeds.forEach((f) => this.media?.gone.add(f)), this.fail);
  };

  private callId(): string | undefined {
    return this.state.phase === 'idle' ? undefined : this.state.callId;
  }

  /** Any chat event: a commit in the call's group is a new epoch, whose SFrame keys the worker needs. */
  readonly onChatEvent = (): void => void this.feedEpoch().catch(this.fail);

  private dispatch(a: CallAction): void {
    const before = this.state;
    this.state = callReducer(before, a);
    if (a.type === 'signal' && this.state.phase === 'ringing' && this.state !== before)
      this.kind = a.signal.kind;
    if (inCall(before) && !inCall(this.state)) this.closeMedia();
    this.render();
  }

  private place(kind: CallKind): void {
    const groupId = this.current();
    if (!groupId || !this.client) return this.fail(new Error('open a conversation first'));
    this.dispatch({ type: 'place', groupId });
    if (this.state.phase !== 'calling') return;
    this.kind = kind;
    this.render();
    const calls = this.client.calls;
    const run = async () => {
      // A call just hung up here may still be the group's live one until the server has our leave.
      await this.leaving;
      // Starting the call joins this device; its room takes our media while the others are rung.
      const placed = await calls.place(groupId, kind);
      this.dispatch({ type: 'placed', callId: placed.join.callId, outcome: placed.outcome });
      if (inCall(this.state)) await this.joinMedia(placed.join);
      else if (this.state.phase === 'over' && this.state.why === 'hung-up')
        await calls.hangUp(placed.join.callId);
    };
    run().catch((e) => this.failed(e));
  }

  /** Accept (a ringing call) or Join call (a group call in progress this browser missed or declined). */
  private accept(): void {
    if (!this.client) return;
    const offered = this.state;
    this.dispatch({ type: 'accept' });
    const s = this.state;
    if (offered.phase === 'available') this.kind = offered.kind;
    if (s.phase !== 'joining') return;
    const calls = this.client.calls;
    const run = async () => {
      await this.leaving; // a leave of this call still on its way would land after the join
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
    if (s.callId) this.leaving = this.client.calls.hangUp(s.callId).catch(this.fail);
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
    const local = await navigator.mediaDevices.getUserMedia({ audio: true, video: this.kind === 'video' });
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

  private record() {
    const callId = this.callId();
    return this.client && callId ? this.client.calls.get(callId) : Promise.resolve(null);
  }

  /** Subscribes to publishers not yet on screen; drops the tiles of those who left; notes a kick. */
  private async follow(): Promise<void> {
    const media = this.media;
    if (!media) return;
    if (media.kicked) return this.dispatch({ type: 'kicked' });
    await this.feedEpoch(); // also after this browser's own commits
    for (const feed of media.publishers) {
      if (this.tiles.has(feed) || this.joining.has(feed)) continue;
      this.joining.add(feed);
      try {
        const sub = (await media.subscribe(feed).catch(() => null)) as Subscription | null;
        // A refused subscription (a reply, not a Subscription: the feed went away) is not in the list.
        if (!sub || !media.subscriptions.includes(sub) || this.media !== media) {
          if (sub) media.publishers.delete(feed);
          continue;
        }
        const tracks = sub.pc.getReceivers().flatMap((r) => (r.track ? [r.track] : []));
        await this.tiles.add(feed, tracks, this.kind === 'video');
      } finally {
        this.joining.delete(feed); // a poll that came meanwhile saw it joining: one subscription per feed
      }
    }
    // Every poll: a feed whose participant the record no longer has joined (or never had) goes.
    for (const feed of await this.tiles.departed()) media.gone.add(feed);
    for (const feed of this.tiles.feeds) {
      const ended = media.subscriptions.filter((s) => s.feed === feed).every((s) => s.ended);
      if (media.gone.has(feed) || ended) {
        this.tiles.remove(feed);
        media.publishers.delete(feed);
      }
    }
    await this.showStats(media);
  }

  /**
   * What the call's media does, on the panel's element for whoever diagnoses a call (and the tests): the MLS
   * epoch the keys come from, the last SFrame KID that opened a frame, frames opened and refused, audio packets.
   */
  private async showStats(media: CallMedia): Promise<void> {
    const { inbound, sframe } = await media.stats();
    const d = $('call-media').dataset;
    d.epoch = String(this.epoch ?? '');
    d.kid = String(sframe.lastKid);
    d.decrypted = String(sframe.decrypted);
    d.refused = String(sframe.authFailed + sframe.unknownKid);
    d.audioPackets = String(inbound.reduce((n, i) => n + i.audioPackets, 0));
  }

  /** Share screen / Stop sharing: the screen's track replaces the camera's on the same (SFrame) sender. */
  private async share(): Promise<void> {
    if (this.screen) return this.unshare();
    const media = this.media;
    if (!media) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const [track] = stream.getVideoTracks();
    if (!track || this.media !== media) return void stream.getTracks().forEach((t) => t.stop());
    try {
      await media.replaceVideo(track);
    } catch (err) {
      track.stop(); // not sent: the capture ends, and the button still says "Share screen"
      throw err;
    }
    this.screen = track;
    track.addEventListener('ended', () => void this.unshare().catch(this.fail));
    if (track.readyState === 'ended') return this.unshare(); // stopped while being put on the sender
    $<HTMLVideoElement>('call-local').srcObject = stream;
    this.render();
  }

  private async unshare(): Promise<void> {
    const track = this.screen;
    if (!track) return;
    this.screen = null;
    track.stop();
    const camera = this.local?.getVideoTracks()[0];
    if (camera && this.media) await this.media.replaceVideo(camera);
    $<HTMLVideoElement>('call-local').srcObject = this.local;
    this.render();
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
    this.screen?.stop();
    this.screen = null;
    this.local = null;
    $<HTMLVideoElement>('call-local').srcObject = null;
    this.tiles.clear();
    this.joining.clear();
    const figures = $('call-media').dataset;
    for (const k of Object.keys(figures)) delete figures[k];
  }

  private render(): void {
    const s = this.state;
    const status = $('call-status');
    status.textContent = describeCall(s, this.name);
    status.dataset.phase = s.phase;
    status.dataset.reason = s.phase === 'over' ? (s.reason ?? s.why) : '';
    $('call').hidden = s.phase === 'idle';
    for (const id of ['call-start', 'call-start-voice'])
      $(id).toggleAttribute('disabled', s.phase !== 'idle' && s.phase !== 'over');
    $('call-accept').hidden = $('call-decline').hidden = s.phase !== 'ringing';
    $('call-hangup').hidden = !inCall(s);
    $('call-dismiss').hidden = s.phase !== 'over';
    $('call-join').hidden = !((s.phase === 'over' && s.joinable) || s.phase === 'available');
    $('call-media').hidden = !inCall(s);
    $('call-local').hidden = this.kind !== 'video';
    const share = $('call-share');
    share.hidden = !inCall(s) || this.kind !== 'video' || !('getDisplayMedia' in navigator.mediaDevices);
    share.textContent = this.screen ? 'Stop sharing' : 'Share screen';
    share.setAttribute('aria-pressed', String(this.screen !== null));
  }
}
