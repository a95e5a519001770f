import { mtlsFetch, type MtlsFetch } from '@pakawaaz/handset-simulator';
import { callFrame, ChatCalls } from './chat-calls.js';
import type { ChatClientOptions } from './chat-client-options.js';
import { SocketAcks } from './chat-acks.js';
import { ChatConnection } from './chat-connection.js';
import { call, ChatHttpError, fetchQueue, mayRetry, retry } from './chat-http.js';
import { ChatCore } from './chat-core.js';
import { leaveGroup, type LeaveReply } from './chat-leave.js';
import { newMessageId, type ChatBody } from './chat-content.js';
import type { ChatCommit, ChatEvent } from './chat-types.js';
import { desktopSigningKey, dpopFetch } from './desktop-device.js';
import { certificateDerFromPem } from './device-key.js';
import { chatRoutes, parseExternalSender, parseServerFrame, type QueueItem } from './chat-wire.js';

export type { ChatClientOptions } from './chat-client-options.js';

const MAX_REBASES = 5;

/**
 * The tiny driver around ChatCore: HTTP and WebSocket over the device's mutual-TLS session. One operation at a
 * time touches the core (a promise chain), deliveries are acknowledged only after they were applied and saved.
 */
export class ChatClient {
  private chain: Promise<unknown> = Promise.resolve();
  /** The WebSocket (chat-connection.ts): deliveries and call signals in, acks and call signals out. */
  private readonly socket: ChatConnection;
  private seq: number;
  /** The seq last persisted with the core state that applied it: what may be acknowledged. */
  private savedSeq: number;
  private readonly acks = new SocketAcks();
  /** Groups with Remove proposals received and not yet committed by this device (see commitProposed). */
  private readonly proposed = new Set<string>();

  /** Calls of this device's groups: place, accept, decline, busy, cancel, hang up (docs/calls.md). */
  readonly calls: ChatCalls;

  private constructor(
    readonly core: ChatCore,
    private readonly o: ChatClientOptions,
    private readonly http: MtlsFetch,
  ) {
    this.seq = o.saved?.seq ?? 0;
    this.savedSeq = this.seq;
    this.calls = new ChatCalls(
      {
        send: (frame) => this.socket.send(frame),
        call: (method, path, body) => this.call(method, path, body),
      },
      o.onCallSignal,
    );
    this.socket = new ChatConnection(o, {
      // What was queued while the device was away, before live deliveries (they wait on the same chain).
      opened: () => (this.acks.reset(), this.sync()),
      text: (text) => this.onFrame(text),
      closed: () => this.calls.disconnected(),
    });
  }

  /** Fetches the server's external sender (pinned for this session), then opens the device's chat state. */
  static async open(o: ChatClientOptions): Promise<ChatClient> {
    const http = o.desktop ? dpopFetch(o.desktop.identity, o.desktop.accessToken) : mtlsFetch(o.tls);
    try {
      const es = parseExternalSender(await call(http, o.baseUrl, 'GET', chatRoutes.externalSender()));
      const core = await ChatCore.open(
        {
          keyPem: o.tls.keyPem,
          ...(o.desktop ? { key: await desktopSigningKey(o.desktop.identity) } : {}),
          certificateDer: certificateDerFromPem(o.tls.certPem),
          trust: {
            deviceCaDers: o.tls.caPems.map(certificateDerFromPem),
            externalSenderKeys: [es.signatureKey],
          },
        },
        o.saved?.core,
      );
      const client = new ChatClient(core, o, http);
      client.externalSender = es;
      return client;
    } catch (e) {
      http.close();
      throw e;
    }
  }

  externalSender!: Awaited<ReturnType<typeof parseExternalSender>>;

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(this.http, this.o.baseUrl, method, path, body);
  }

  private async save(): Promise<void> {
    const seq = this.seq;
    await this.o.persist?.({ core: this.core.save(), seq });
    this.savedSeq = Math.max(this.savedSeq, seq);
  }

  /**
   * Tells the application of what was applied. Its handler failing must not stop delivery: what is applied stays
   * applied, and the rest of the frame and its ack would otherwise be skipped (a later ack then covers them).
   */
  private emit(events: ChatEvent[]): void {
    for (const e of events)
      try {
        this.o.onEvent?.(e);
      } catch (err) {
        console.error('chat: the application’s event handler failed', err);
      }
  }

  uploadKeyPackages(n: number, lastResort = false): Promise<{ stored: number; oneTimeLeft: number }> {
    return this.serial(async () => {
      const keyPackages = await this.core.makeKeyPackages(n, lastResort);
      await this.save(); // the private halves first: a Welcome may follow at once
      return this.call<{ stored: number; oneTimeLeft: number }>('POST', chatRoutes.keyPackages(), {
        keyPackages,
      });
    });
  }

  createGroup(): Promise<string> {
    return this.serial(async () => {
      const { groupId, groupInfo } = await this.core.createGroup(this.externalSender);
      await this.call('POST', chatRoutes.groups(), { groupInfo });
      await this.save();
      return groupId;
    });
  }

  /**
   * Adds every live device of these officials (by username or user id; one claimed KeyPackage each). Returns
   * each official's user id and how many devices were added, in the order asked.
   */
  addMembers(
    groupId: string,
    users: readonly string[],
  ): Promise<{ user: string; userId: string; devices: number }[]> {
    return this.serial(async () => {
      const kps: string[] = [];
      const added: { user: string; userId: string; devices: number }[] = [];
      for (const user of users) {
        const r = await this.call<{ userId: string; keyPackages: { keyPackage: string }[] }>(
          'POST',
          chatRoutes.claimKeyPackages(),
          { user },
        );
        kps.push(...r.keyPackages.map((k) => k.keyPackage));
        added.push({ user, userId: r.userId, devices: r.keyPackages.length });
      }
      if (kps.length > 0) await this.submit(await this.core.add(groupId, kps));
      await this.commitProposed();
      return added;
    });
  }

  removeDevices(groupId: string, deviceIds: readonly string[]): Promise<void> {
    return this.serial(async () => {
      await this.submit(await this.core.remove(groupId, deviceIds));
      await this.commitProposed();
    });
  }

  /** This official leaves the group, and this device forgets it (chat-leave.ts). */
  leaveGroup(groupId: string): Promise<LeaveReply> {
    this.proposed.delete(groupId);
    const done = (events: ChatEvent[]) => (this.emit(events), this.save());
    return this.serial(() => leaveGroup((m, p) => this.call(m, p), this.core, groupId, done));
  }

  /** A commit with a fresh path: post-compromise security (call on a timer, or after a suspected compromise). */
  rotateKeys(groupId: string): Promise<void> {
    return this.serial(async () => {
      await this.submit(await this.core.update(groupId));
      await this.commitProposed();
    });
  }

  /** Sends text, a file reference, a receipt or a typing indicator; retried with the same client message id. */
  send(groupId: string, body: ChatBody): Promise<string> {
    return this.serial(async () => {
      const s = await this.core.send(groupId, body);
      await this.save();
      const payload = { clientId: s.id, message: s.message };
      await retry(() => this.call('POST', chatRoutes.messages(groupId), payload));
      return s.id;
    });
  }

  /**
   * Registers a commit; on 409 mls_stale_epoch or mls_member_removed applies what it missed (commits, the
   * server's Remove proposals), rebuilds the change on it and retries.
   */
  private async submit(first: ChatCommit | null): Promise<void> {
    let c = first;
    for (let i = 0; c && i <= MAX_REBASES; i++) {
      // The server reads the epoch from the commit; the client id makes a retried POST land once.
      const body = {
        commit: c.commit,
        groupInfo: c.groupInfo,
        clientId: newMessageId(),
        ...(c.welcome ? { welcome: c.welcome } : {}),
      };
      try {
        await retry(() => this.call('POST', chatRoutes.commits(c!.groupId), body));
        this.emit(this.core.confirm(c.groupId));
        await this.save();
        return;
      } catch (e) {
        // Unknown outcome (no answer, or 429/5xx past the retries — the first try may still land): the commit
        // stays pending, and its echo or a rival settles it. Only a definitive refusal abandons it.
        if (!(e instanceof ChatHttpError) || mayRetry(e)) throw e;
        // Another commit won the epoch, or the tree still holds a device the server removed (its Remove
        // proposal waits in the queue): both are rebased on what the queue holds.
        if (e.body.code !== 'mls_stale_epoch' && e.body.code !== 'mls_member_removed') {
          this.core.abandon(c.groupId); // refused for good (e.g. mls_credential_refused)
          throw e;
        }
      }
      const items = await this.fetchQueue();
      const mine = items.filter((it) => it.groupId === c!.groupId && it.kind !== 'welcome');
      // What the queue holds for other groups is applied here (apply() then skips it): their proposals are
      // noted, so that this device still commits them.
      for (const it of items.filter((x) => !mine.includes(x))) await this.take(it);
      const r = await this.core.rebase(c.groupId, mine);
      this.emit(r.events);
      await this.ack(items);
      c = r.commit;
    }
    if (c) throw new Error(`the commit lost ${MAX_REBASES + 1} races for its epoch: try again later`);
  }

  private fetchQueue(): Promise<QueueItem[]> {
    return fetchQueue((path) => this.call('GET', path), this.seq);
  }

  /** Saves what was applied, then acknowledges it (`send`), or leaves that to applyDelivered. */
  private async ack(items: readonly QueueItem[], send = true): Promise<void> {
    const upTo = Math.max(this.seq, ...items.map((i) => i.seq));
    this.seq = upTo;
    await this.save();
    if (items.length === 0 || !send) return;
    if (this.socket.send({ type: 'ack', upTo })) this.acks.sent(upTo);
    else await this.call('POST', chatRoutes.ack(), { upTo });
  }

  /** Applies one queued item, emits its events and notes a group whose proposals now wait for a commit. */
  private async take(it: QueueItem): Promise<void> {
    const events = await this.core.receive(it);
    this.seq = Math.max(this.seq, it.seq); // saved with the core state it produced (acknowledged after)
    this.emit(events);
    for (const e of events)
      if (e.type === 'proposals-pending') this.proposed.add(e.groupId);
      else if (e.type === 'removed') this.proposed.delete(e.groupId); // nothing left to commit there
  }

  private async apply(items: readonly QueueItem[], ack = true): Promise<void> {
    for (const it of items) {
      if (it.seq <= this.seq) continue; // at-least-once: already applied
      await this.take(it);
    }
    await this.ack(items, ack);
    await this.commitProposed();
  }

  /** A socket's deliver frame, applied; acknowledged with the frames applied together (SocketAcks). */
  private async applyDelivered(items: readonly QueueItem[]): Promise<void> {
    try {
      await this.apply(items, false);
    } finally {
      const upTo = this.acks.applied(this.savedSeq);
      if (upTo !== null) this.socket.send({ type: 'ack', upTo });
    }
  }

  /**
   * Commits the Remove proposals received, once everything delivered is applied (so at the newest epoch known).
   * Every member tries; the losers' rebase finds nothing left to commit. A failure must not hold up delivery:
   * another member commits, or the next proposal retries. Proposals noted while rebasing one group's commit
   * are committed in the same pass — a device that lost the race in one group still commits in the others.
   */
  private async commitProposed(): Promise<void> {
    if (this.o.autoCommit === false) return this.proposed.clear();
    for (const groupId of this.proposed) {
      this.proposed.delete(groupId);
      await this.core
        .commitPending(groupId)
        .then((c) => this.submit(c))
        .catch(() => undefined);
    }
  }

  /** Applies envelopes that came another way (a bot's webhook) as a WebSocket delivery is, then acknowledges. */
  deliver(items: readonly QueueItem[]): Promise<void> {
    return this.serial(() => this.apply(items));
  }

  /** Fetches and applies everything queued (on start, after a reconnect, or on a "check in" push). */
  sync(): Promise<void> {
    return this.serial(async () => this.apply(await this.fetchQueue()));
  }

  /** Opens the WebSocket (device certificate on the TLS session) and catches up; reconnects until close(). */
  start(): Promise<void> {
    return this.socket.start();
  }

  /** A text frame from the socket: a call signal, a delivery (applied in turn), or a request for KeyPackages. */
  private onFrame(text: string): void {
    if (callFrame(text, this.calls)) return;
    const frame = parseServerFrame(text);
    if (frame?.type === 'deliver') {
      this.acks.received();
      void this.serial(() => this.applyDelivered(frame.items)).catch(() => undefined);
    } else if (frame?.type === 'key_packages_low') void this.uploadKeyPackages(20).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.chain;
    this.http.close();
  }
}
