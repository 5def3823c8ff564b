/**
 * A read cache with a TTL; concurrent reads of one key share one request. A value that `remember`
 * rejects (a missing secret, a bank not registered yet) is not kept: it may appear any moment in
 * another process. Values are shared between callers: treat them as read-only.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly nowMs: () => number,
    private readonly remember: (value: T) => boolean = () => true,
  ) {}

  async get(key: string, fresh: boolean, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (!fresh && hit && hit.expiresAt > this.nowMs()) return hit.value;
    const value = load();
    const entry = { value, expiresAt: this.nowMs() + this.ttlMs };
    this.entries.set(key, entry);
    try {
      const loaded = await value;
      if (!this.remember(loaded) && this.entries.get(key) === entry) this.entries.delete(key);
      return loaded;
    } catch (error) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  set(key: string, value: T): void {
    this.entries.set(key, { value: Promise.resolve(value), expiresAt: this.nowMs() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
