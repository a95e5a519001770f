import { describe, expect, it } from 'vitest';
import { ANSWER_WAIT_MS } from './held-asks.js';
import { AnsweredHeld, MAX_REMEMBERED, REMEMBER_HELD_MS, RemoteHolders } from './remote-holders.js';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `d${from + i}`);

describe('RemoteHolders (which other node holds a device, from its answers)', () => {
  it('presumes a device held by the node that answered, until REMEMBER_HELD_MS has passed', () => {
    const h = new RemoteHolders();
    h.learn('B', ['d1', 'd2'], 1000);
    h.learn('C', ['d3'], 1000);
    const { presumed, unknown } = h.split(['d1', 'd3', 'd4'], 1000 + REMEMBER_HELD_MS - 1);
    expect([...presumed]).toEqual([
      ['d1', 'B'],
      ['d3', 'C'],
    ]);
    expect(unknown).toEqual(['d4']);
    // At the limit it is asked about again, and forgotten.
    expect(h.split(['d1'], 1000 + REMEMBER_HELD_MS)).toEqual({ presumed: new Map(), unknown: ['d1'] });
    expect(h.split(['d1'], 1000)).toEqual({ presumed: new Map(), unknown: ['d1'] });
  });

  it('a newer answer moves the device to its new node and starts its time again', () => {
    const h = new RemoteHolders();
    h.learn('B', ['d1'], 0);
    h.learn('C', ['d1'], 5000);
    expect(h.split(['d1'], 5000 + REMEMBER_HELD_MS - 1).presumed.get('d1')).toBe('C');
  });

  it("forgets a device its holder released, but not when another node releases it (it moved: the new holder's answer stands)", () => {
    const h = new RemoteHolders();
    h.learn('B', ['d1', 'd2'], 0);
    h.released('B', ['d1']);
    h.learn('C', ['d2'], 10);
    h.released('B', ['d2']); // B's release of d2 arrives after C's answer: d2 is on C now
    expect(h.split(['d1', 'd2'], 20)).toEqual({ presumed: new Map([['d2', 'C']]), unknown: ['d1'] });
  });

  it('forgets everything a node answered when it releases all (it stops, or was cut off), and everything on forget()', () => {
    const h = new RemoteHolders();
    h.learn('B', ['d1', 'd2'], 0);
    h.learn('C', ['d3'], 0);
    h.released('B');
    expect(h.split(['d1', 'd2', 'd3'], 1).unknown).toEqual(['d1', 'd2']);
    h.forget();
    expect(h.size).toBe(0);
  });

  it('keeps its entries in order of expiry, so a full memory makes room from the oldest', () => {
    const h = new RemoteHolders();
    h.learn('B', ids(MAX_REMEMBERED - 1), 0);
    h.learn('B', ['d0'], 5000); // refreshed: now the newest
    h.learn('C', ['extra', 'more'], REMEMBER_HELD_MS + 1); // full: the expired ones go, 'd0' stays
    expect(h.size).toBe(3);
    expect(h.split(['d0', 'd1', 'extra'], REMEMBER_HELD_MS + 2)).toEqual({
      presumed: new Map([
        ['d0', 'B'],
        ['extra', 'C'],
      ]),
      unknown: ['d1'],
    });
  });

  it('remembers at most MAX_REMEMBERED devices: expired ones make room, the rest are simply asked about', () => {
    const h = new RemoteHolders();
    h.learn('B', ids(MAX_REMEMBERED), 0);
    h.learn('B', ['late'], 1);
    expect(h.size).toBe(MAX_REMEMBERED);
    expect(h.split(['late'], 2).unknown).toEqual(['late']);
    // Known devices are refreshed even when full.
    h.learn('C', ['d0'], 2);
    expect(h.split(['d0'], 3).presumed.get('d0')).toBe('C');
    // Once they expire, new answers are remembered again.
    h.learn('B', ['new'], REMEMBER_HELD_MS + 5);
    expect(h.size).toBe(1);
    expect(h.split(['new'], REMEMBER_HELD_MS + 6).presumed.get('new')).toBe('B');
  });
});

describe('AnsweredHeld (the holder: a release only for devices another node may remember)', () => {
  it('a device that leaves within the memory (and the ask window as margin) is released; one never answered for, or long ago, is not', () => {
    const a = new AnsweredHeld();
    a.answered(['d1', 'd2', 'd3'], 0);
    expect(a.left('d1', REMEMBER_HELD_MS + ANSWER_WAIT_MS - 1)).toBe(true);
    expect(a.left('d1', 0)).toBe(false); // once only
    expect(a.left('d2', REMEMBER_HELD_MS + ANSWER_WAIT_MS)).toBe(false);
    expect(a.left('never', 0)).toBe(false);
    expect(a.leftLately()).toEqual(['d1']); // and forgets everything
    expect(a.left('d3', REMEMBER_HELD_MS + 1)).toBe(false);
  });

  it('back on NATS after a cut: the devices that left while remembered elsewhere, unless a message heard since shows their wakes arrived', () => {
    const a = new AnsweredHeld();
    a.answered(['old', 'recent', 'stays', 'never-remembered'], 0);
    expect(a.left('old', 1000)).toBe(true);
    a.answered(['recent'], 5000);
    expect(a.left('recent', 6000)).toBe(true);
    // A message heard after 'old' was forgotten elsewhere: wakes presuming it here were arriving till then.
    a.heard(1000 + REMEMBER_HELD_MS + ANSWER_WAIT_MS);
    expect(a.leftLately()).toEqual(['recent']);
    // Everything is forgotten: the node releases all it answered for when it is back.
    expect(a.left('stays', 7000)).toBe(false);
    expect(a.leftLately()).toEqual([]);
  });

  it('a long cut (nothing heard) keeps every device that left while remembered, however long ago', () => {
    const a = new AnsweredHeld();
    a.heard(0);
    a.answered(['d1'], 0);
    expect(a.left('d1', 100)).toBe(true);
    // Minutes pass with nothing heard (a partition noticed only when pings go unanswered).
    a.answered(['d2'], 300_000);
    expect(a.left('d2', 300_100)).toBe(true);
    expect(a.leftLately()).toEqual(['d1', 'd2']);
  });

  it('covers every moment the asker can still remember: its memory starts at most ANSWER_WAIT_MS after the answer', () => {
    const answeredAt = 1000;
    const learntAt = answeredAt + ANSWER_WAIT_MS; // the latest an answer is remembered (a later one is 'late')
    let checked = 0;
    for (let t = learntAt; t < learntAt + REMEMBER_HELD_MS + 500; t += 50) {
      const asker = new RemoteHolders();
      asker.learn('B', ['d1'], learntAt);
      const holder = new AnsweredHeld();
      holder.answered(['d1'], answeredAt);
      if (asker.split(['d1'], t).presumed.has('d1')) {
        checked++;
        expect(holder.left('d1', t)).toBe(true);
      }
    }
    expect(checked).toBe(REMEMBER_HELD_MS / 50);
  });
});
