import { SendLimiter, type Limit } from '../../../bot/messaging/send-limits';

/** The most sends in any window [t, t + windowMs), by brute force (the max starts at a send). */
function maxInAnyWindow(times: number[], windowMs: number): number {
  let max = 0;
  for (const start of times) {
    const n = times.filter((s) => s >= start && s < start + windowMs).length;
    if (n > max) max = n;
  }
  return max;
}

/** Same, in O(n) for long sorted runs. */
function maxInAnyWindowSorted(sorted: number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= windowMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

/** Sends to one conversation as often as the limiter allows, from 0 until `untilMs`. */
function greedy(limiter: SendLimiter, untilMs: number): number[] {
  const sent: number[] = [];
  let now = 0;
  while (now < untilMs) {
    const r = limiter.admit('c', now);
    if (r.ok) {
      sent.push(now);
      continue;
    }
    expect(r.retryAt).toBeGreaterThan(now);
    now = r.retryAt;
    // Nothing else was sent meanwhile: the retry must be admitted.
    if (now < untilMs) {
      expect(limiter.admit('c', now)).toEqual({ ok: true });
      sent.push(now);
    }
  }
  return sent;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('a burst of 20 to one conversation at t=0 admits exactly 7, then says retry at 1000', () => {
  const limiter = new SendLimiter();
  const results = Array.from({ length: 20 }, () => limiter.admit('c', 0));
  expect(results.filter((r) => r.ok)).toHaveLength(7);
  expect(results.slice(0, 7).every((r) => r.ok)).toBe(true);
  expect(results[7]).toEqual({ ok: false, retryAt: 1000 });
  expect(limiter.admit('c', 999)).toEqual({ ok: false, retryAt: 1000 });
  expect(limiter.admit('c', 1000)).toEqual({ ok: true });
  // 8 in 2 s: the ninth waits for the first seven to leave the 2 s window.
  expect(limiter.admit('c', 1000)).toEqual({ ok: false, retryAt: 2000 });
});

test('10 minutes of greedy sending to one conversation: never over any window, exactly 60 in the first 30 s', () => {
  const limiter = new SendLimiter();
  const sent = greedy(limiter, 10 * 60 * 1000);
  expect(maxInAnyWindow(sent, 1000)).toBe(7);
  expect(maxInAnyWindow(sent, 2000)).toBe(8);
  expect(maxInAnyWindow(sent, 30000)).toBe(60);
  expect(sent.filter((t) => t < 30000)).toHaveLength(60);
  // Every 30 s window is used to the full: 20 of them in 10 minutes.
  expect(sent).toHaveLength(1200);
  // And the windows that are not aligned to a send hold no more either (spot check each 100 ms).
  let most = 0;
  for (let start = -2000; start < 600000; start += 100)
    most = Math.max(most, sent.filter((s) => s >= start && s < start + 1000).length);
  expect(most).toBe(7);
});

test('the hourly limit binds: 65 minutes of greedy sending gives 1800 in the first hour and never more in any hour', () => {
  const limiter = new SendLimiter();
  const sent = greedy(limiter, 65 * 60 * 1000);
  expect(maxInAnyWindowSorted(sent, 3600000)).toBe(1800);
  expect(maxInAnyWindowSorted(sent, 30000)).toBe(60);
  expect(maxInAnyWindowSorted(sent, 2000)).toBe(8);
  expect(maxInAnyWindowSorted(sent, 1000)).toBe(7);
  expect(sent.filter((t) => t < 3600000)).toHaveLength(1800);
  // The hour's budget is gone after 15 minutes; the next send is one hour after the first.
  expect(sent.filter((t) => t >= 15 * 60 * 1000 && t < 3600000)).toEqual([]);
  expect(sent[1800]).toBe(3600000);
});

test('the global limit across 100 greedy conversations for 10 s: no second over 30, at least 90% of 30/s used', () => {
  const limiter = new SendLimiter();
  const ids = Array.from({ length: 100 }, (_, i) => `c${i}`);
  const nextTry = new Map(ids.map((id) => [id, 0]));
  const all: number[] = [];
  const per = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (;;) {
    let id = ids[0];
    for (const c of ids) if (nextTry.get(c)! < nextTry.get(id)!) id = c;
    const now = nextTry.get(id)!;
    if (now >= 10000) break;
    const r = limiter.admit(id, now);
    if (r.ok) {
      all.push(now);
      per.get(id)!.push(now);
    } else {
      expect(r.retryAt).toBeGreaterThan(now);
      nextTry.set(id, r.retryAt);
    }
  }
  expect(maxInAnyWindowSorted(all, 1000)).toBeLessThanOrEqual(30);
  expect(all.length).toBeGreaterThanOrEqual(0.9 * 30 * 10);
  expect(all.length).toBeLessThanOrEqual(30 * 10);
  for (const times of per.values()) expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(7);
});

test('the global limit is configurable', () => {
  const limiter = new SendLimiter({ global: { count: 50, windowMs: 1000 } });
  let admitted = 0;
  for (let i = 0; i < 200; i++) if (limiter.admit(`c${i}`, 0).ok) admitted++;
  expect(admitted).toBe(50);
  expect(limiter.admit('another', 10)).toEqual({ ok: false, retryAt: 1000 });
});

test('pause (429 with Retry-After) holds back that conversation only', () => {
  const limiter = new SendLimiter();
  limiter.pause('a', 5000);
  expect(limiter.admit('a', 0)).toEqual({ ok: false, retryAt: 5000 });
  expect(limiter.admit('b', 0)).toEqual({ ok: true });
  expect(limiter.admit('a', 4999)).toEqual({ ok: false, retryAt: 5000 });
  expect(limiter.admit('b', 4999)).toEqual({ ok: true });
  expect(limiter.admit('a', 5000)).toEqual({ ok: true });
  // A shorter pause does not shorten a longer one.
  limiter.pause('b', 9000);
  limiter.pause('b', 6000);
  expect(limiter.admit('b', 6000)).toEqual({ ok: false, retryAt: 9000 });
});

test('retryAt is the later of the pause and the windows', () => {
  const limiter = new SendLimiter();
  for (let i = 0; i < 7; i++) expect(limiter.admit('c', 0).ok).toBe(true);
  limiter.pause('c', 500);
  expect(limiter.admit('c', 100)).toEqual({ ok: false, retryAt: 1000 });
  limiter.pause('c', 1500);
  expect(limiter.admit('c', 100)).toEqual({ ok: false, retryAt: 1500 });
  expect(limiter.admit('c', 1500)).toEqual({ ok: true });
});

test('forget drops a conversation log and pause', () => {
  const limiter = new SendLimiter();
  for (let i = 0; i < 7; i++) limiter.admit('c', 0);
  limiter.pause('c', 99999);
  limiter.forget('c');
  expect(limiter.size()).toBe(0);
  expect(limiter.admit('c', 1)).toEqual({ ok: true });
});

test('a clock stepping back does not let more through', () => {
  const limiter = new SendLimiter();
  for (let i = 0; i < 7; i++) limiter.admit('c', 1000);
  expect(limiter.admit('c', 500)).toEqual({ ok: false, retryAt: 2000 });
  expect(limiter.admit('c', 1999)).toEqual({ ok: false, retryAt: 2000 });
  expect(limiter.admit('c', 2000)).toEqual({ ok: true });
});

test('invalid limits are refused', () => {
  expect(() => new SendLimiter({ perConversation: [] })).toThrow();
  expect(() => new SendLimiter({ perConversation: [{ count: 0, windowMs: 1000 }] })).toThrow();
  expect(() => new SendLimiter({ global: { count: 5, windowMs: 0 } })).toThrow();
  expect(() => new SendLimiter().admit('c', NaN)).toThrow();
});

describe('property: against a brute-force model, with random limits and traffic', () => {
  /** Admissible at t? Checks every window that holds t, over the full history. */
  function modelAllows(
    t: number,
    own: number[],
    all: number[],
    pausedUntil: number,
    perConversation: Limit[],
    global: Limit,
  ): boolean {
    if (t < pausedUntil) return false;
    const fits = (times: number[], limit: Limit) =>
      times.filter((s) => s > t - limit.windowMs && s <= t).length + 1 <= limit.count;
    return perConversation.every((l) => fits(own, l)) && fits(all, global);
  }

  for (let seed = 1; seed <= 40; seed++) {
    test(`seed ${seed}`, () => {
      const random = rng(seed);
      const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
      const perConversation = Array.from({ length: int(1, 3) }, () => ({
        count: int(1, 6),
        windowMs: int(1, 60),
      }));
      const global = { count: int(2, 10), windowMs: int(1, 40) };
      const limiter = new SendLimiter({ perConversation, global });
      const ids = ['a', 'b', 'c', 'd'];
      const own = new Map(ids.map((id) => [id, [] as number[]]));
      const all: number[] = [];
      const paused = new Map(ids.map((id) => [id, 0]));
      let now = 0;
      for (let step = 0; step < 600; step++) {
        now += int(0, 1) === 0 ? 0 : int(0, 15);
        const id = ids[int(0, ids.length - 1)];
        if (random() < 0.03) {
          const until = now + int(0, 80);
          limiter.pause(id, until);
          paused.set(id, Math.max(paused.get(id)!, until));
          continue;
        }
        const expected = modelAllows(
          now,
          own.get(id)!,
          all,
          paused.get(id)!,
          perConversation,
          global,
        );
        const r = limiter.admit(id, now);
        expect(r.ok).toBe(expected);
        if (r.ok) {
          own.get(id)!.push(now);
          all.push(now);
          continue;
        }
        // retryAt is the earliest admissible time: not one ms earlier, and admit there succeeds.
        let firstAllowed = now;
        while (
          !modelAllows(firstAllowed, own.get(id)!, all, paused.get(id)!, perConversation, global)
        )
          firstAllowed++;
        expect(r.retryAt).toBe(firstAllowed);
        if (random() < 0.5) {
          now = r.retryAt;
          expect(limiter.admit(id, now)).toEqual({ ok: true });
          own.get(id)!.push(now);
          all.push(now);
        }
      }
      for (const times of own.values())
        for (const l of perConversation)
          expect(maxInAnyWindow(times, l.windowMs)).toBeLessThanOrEqual(l.count);
      expect(maxInAnyWindow(all, global.windowMs)).toBeLessThanOrEqual(global.count);
    });
  }
});

test('prune keeps memory bounded by the conversations of the last hour', () => {
  const limiter = new SendLimiter();
  // One new conversation a second for three hours, pruning as a dispatcher would.
  let largest = 0;
  let refused = 0;
  for (let i = 0; i < 3 * 3600; i++) {
    const now = i * 1000;
    if (!limiter.admit(`c${i}`, now).ok) refused++;
    if (i % 60 === 0) limiter.prune(now);
    largest = Math.max(largest, limiter.size());
  }
  expect(refused).toBe(0);
  expect(largest).toBeLessThanOrEqual(3600 + 60);
  // Those that sent within the last hour (after 7_200_000) stay.
  limiter.prune(3 * 3600 * 1000);
  expect(limiter.size()).toBe(3599);
  // Nothing sent within the hour: all gone.
  limiter.prune(4 * 3600 * 1000 + 1);
  expect(limiter.size()).toBe(0);
});

test('prune keeps a paused conversation until its pause ends', () => {
  const limiter = new SendLimiter();
  limiter.pause('p', 10000);
  limiter.admit('s', 0);
  limiter.prune(5000);
  expect(limiter.size()).toBe(2);
  limiter.prune(3600000);
  expect(limiter.size()).toBe(0); // 's' sent an hour ago, 'p' is no longer paused
  limiter.pause('q', 4000000);
  limiter.admit('s', 3600000);
  limiter.prune(3999999);
  expect(limiter.size()).toBe(2);
  limiter.prune(7200000);
  expect(limiter.size()).toBe(0);
  expect(limiter.admit('q', 7200000)).toEqual({ ok: true });
});

describe('countUntilAnswered: a send counts in every window until answered, then at its answer', () => {
  test('sends under way fill a window: no time can be told until one is answered', () => {
    const limiter = new SendLimiter({ countUntilAnswered: true });
    for (let i = 0; i < 7; i++) expect(limiter.admit('c', 0)).toEqual({ ok: true });
    expect(limiter.admit('c', 100)).toEqual({ ok: false, retryAt: Infinity });
    // Answered at 500: they count from then, so the next one may go at 1500.
    for (let i = 0; i < 7; i++) limiter.answered('c', 0, 500);
    expect(limiter.admit('c', 1499)).toEqual({ ok: false, retryAt: 1500 });
    expect(limiter.admit('c', 1500)).toEqual({ ok: true });
  });

  test('the global limit counts what is under way and what was answered in the window', () => {
    const limiter = new SendLimiter({
      countUntilAnswered: true,
      global: { count: 3, windowMs: 1000 },
    });
    for (const c of ['a', 'b', 'c']) expect(limiter.admit(c, 0).ok).toBe(true);
    expect(limiter.admit('d', 0)).toEqual({ ok: false, retryAt: Infinity });
    limiter.answered('a', 0, 10);
    // One answered at 10 and two under way: the answered one leaves the window at 1010.
    expect(limiter.admit('d', 20)).toEqual({ ok: false, retryAt: 1010 });
    expect(limiter.admit('d', 1010)).toEqual({ ok: true });
  });

  test('prune and forget keep a conversation with a send under way', () => {
    const limiter = new SendLimiter({ countUntilAnswered: true });
    limiter.admit('c', 0);
    limiter.prune(10 * 3600_000);
    limiter.forget('c');
    expect(limiter.size()).toBe(1);
    limiter.answered('c', 0, 10 * 3600_000);
    limiter.prune(12 * 3600_000);
    expect(limiter.size()).toBe(0);
  });

  // Teams counts a message when it arrives: at some moment between letting it go and its answer.
  for (let seed = 1; seed <= 25; seed++) {
    test(`property, seed ${seed}: wherever in its call a send arrives, no window holds more than the limit`, () => {
      const random = rng(seed);
      const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
      const perConversation = [{ count: int(1, 4), windowMs: int(5, 50) }];
      const global = { count: int(2, 6), windowMs: int(5, 40) };
      const limiter = new SendLimiter({ perConversation, global, countUntilAnswered: true });
      const ids = ['a', 'b', 'c'];
      const under: { id: string; admitted: number; answerAt: number }[] = [];
      const arrivals = new Map(ids.map((x) => [x, [] as number[]]));
      const all: number[] = [];
      let now = 0;
      for (let step = 0; step < 800; step++) {
        now += int(0, 3);
        // Answers that are due come in (in time order), each arriving somewhere in its call.
        under.sort((x, y) => x.answerAt - y.answerAt);
        while (under.length > 0 && under[0].answerAt <= now) {
          const s = under.shift()!;
          limiter.answered(s.id, s.admitted, s.answerAt);
          const arrival = s.admitted + random() * (s.answerAt - s.admitted);
          arrivals.get(s.id)!.push(arrival);
          all.push(arrival);
        }
        const conversation = ids[int(0, ids.length - 1)];
        // One send at a time per conversation, as the dispatcher does.
        if (under.some((s) => s.id === conversation)) continue;
        if (limiter.admit(conversation, now).ok)
          under.push({ id: conversation, admitted: now, answerAt: now + int(0, 30) });
      }
      const most = (times: number[], windowMs: number) => {
        const sorted = [...times].sort((x, y) => x - y);
        return maxInAnyWindowSorted(sorted, windowMs);
      };
      for (const times of arrivals.values())
        expect(most(times, perConversation[0].windowMs)).toBeLessThanOrEqual(
          perConversation[0].count,
        );
      expect(most(all, global.windowMs)).toBeLessThanOrEqual(global.count);
      expect(all.length).toBeGreaterThan(0);
    });
  }
});
