import { describe, expect, it } from 'vitest';
import { aggregateWindows, growthVerdict, type OrderObservation } from '../../../bench/sustained.ts';

const MiB = 2 ** 20;

describe('aggregateWindows', () => {
  const t0 = 1_000_000;
  const orders: OrderObservation[] = [
    // window 0: accepted in window 0, delivered 100 ms later
    { scheduledAt: t0, sentAt: t0 + 2, acceptedAt: t0 + 10, allDeliveredAt: t0 + 110 },
    { scheduledAt: t0 + 500, sentAt: t0 + 500, acceptedAt: t0 + 520, allDeliveredAt: t0 + 820 },
    // scheduled in window 0, accepted in window 1 (queueing), delivered before its 202 arrived
    { scheduledAt: t0 + 900, sentAt: t0 + 900, acceptedAt: t0 + 1_100, allDeliveredAt: t0 + 1_090 },
    // an error in window 1
    { scheduledAt: t0 + 1_200, sentAt: t0 + 1_200, failedAt: t0 + 1_300 },
    // accepted, never delivered
    { scheduledAt: t0 + 1_500, sentAt: t0 + 1_500, acceptedAt: t0 + 1_600 },
  ];
  const windows = aggregateWindows({
    startMs: t0,
    windowMs: 1_000,
    orders,
    deliveries: [t0 + 100, t0 + 110, t0 + 820, t0 + 1_090, t0 + 2_500],
    confirmations: [t0 + 300, t0 + 2_999],
  });

  it('buckets each count by its own time, up to the latest event', () => {
    expect(windows.map((w) => [w.index, w.fromS, w.toS])).toEqual([
      [0, 0, 1],
      [1, 1, 2],
      [2, 2, 3],
    ]);
    expect(windows.map((w) => w.offered)).toEqual([3, 2, 0]);
    expect(windows.map((w) => w.accepted)).toEqual([2, 2, 0]);
    expect(windows.map((w) => w.errors)).toEqual([0, 1, 0]);
    expect(windows.map((w) => w.delivered)).toEqual([3, 1, 1]);
    expect(windows.map((w) => w.confirmed)).toEqual([1, 0, 1]);
  });

  it('gives rates per second of the window', () => {
    const halfSecond = aggregateWindows({
      startMs: t0,
      windowMs: 500,
      orders: orders.slice(0, 2),
      deliveries: [],
    });
    expect(halfSecond.map((w) => w.offeredPerS)).toEqual([2, 2]);
    expect(windows[0]!.deliveredPerS).toBe(3);
  });

  it('times latency by acceptance, clamps a delivery before the 202 to 0, and skips undelivered orders', () => {
    expect(windows[0]!.latency).toEqual({ n: 2, p50: 100, p99: 300, worst: 300 });
    expect(windows[1]!.latency).toEqual({ n: 1, p50: 0, p99: 0, worst: 0 });
    expect(windows[2]!.latency.n).toBe(0);
    expect(windows[2]!.latency.p99).toBeNaN();
    expect(windows[1]!.submit).toEqual({ n: 2, p50: 100, p99: 200, worst: 200 });
  });

  it('covers the whole schedule even when nothing happened at its end', () => {
    const w = aggregateWindows({
      startMs: t0,
      windowMs: 1_000,
      orders: [],
      deliveries: [],
      endMs: t0 + 4_999,
    });
    expect(w).toHaveLength(5);
    expect(w.every((x) => x.offered === 0 && x.latency.n === 0)).toBe(true);
  });
});

describe('growthVerdict', () => {
  it('calls growth below max(10 MiB, 10% of the heap before) noise', () => {
    const v = growthVerdict(
      { rss: 200 * MiB, heapUsed: 40 * MiB },
      { rss: 230 * MiB, heapUsed: 49 * MiB },
      1_000,
    );
    expect(v).toMatchObject({ growth: false, heapDeltaMiB: 9, rssDeltaMiB: 30, thresholdMiB: 10 });
    expect(v.heapBytesPerOrder).toBe(Math.round((9 * MiB) / 1_000));
    expect(v.verdict).toMatch(/^no growth beyond noise/);
  });

  it('calls growth beyond the floor', () => {
    const v = growthVerdict(
      { rss: 200 * MiB, heapUsed: 40 * MiB },
      { rss: 200 * MiB, heapUsed: 51 * MiB },
      1_200,
    );
    expect(v.growth).toBe(true);
    expect(v.verdict).toMatch(/^growth beyond noise: heap \+11 MiB/);
  });

  it('scales the threshold with a big heap, and a shrinking heap is no growth', () => {
    const big = { rss: 900 * MiB, heapUsed: 300 * MiB };
    expect(growthVerdict(big, { ...big, heapUsed: 325 * MiB }, 100)).toMatchObject({
      growth: false,
      thresholdMiB: 30,
    });
    expect(growthVerdict(big, { ...big, heapUsed: 331 * MiB }, 100).growth).toBe(true);
    expect(growthVerdict(big, { ...big, heapUsed: 250 * MiB }, 100)).toMatchObject({
      growth: false,
      heapDeltaMiB: -50,
    });
  });

  it('takes other bounds', () => {
    const v = growthVerdict({ rss: 0, heapUsed: 10 * MiB }, { rss: 0, heapUsed: 13 * MiB }, 0, {
      floorMiB: 2,
    });
    expect(v).toMatchObject({ growth: true, thresholdMiB: 2, heapBytesPerOrder: 3 * MiB });
  });
});
