import { useCallback, useRef } from 'react';

/**
 * One Idempotency-Key per intended request: a resubmission of the same body (after a network
 * error or a 503) reuses the key, so the API answers the first result instead of acting twice
 * (docs/api.md "Idempotency-Key"). A changed body is another request and gets a new key (the same
 * key with another body would be a 409); a success ends the key's life.
 */
export function useIdempotencyKey(): { keyFor(body: unknown): string; done(): void } {
  const last = useRef<{ body: string; key: string } | undefined>(undefined);
  const keyFor = useCallback((body: unknown) => {
    const json = JSON.stringify(body);
    if (last.current?.body !== json) last.current = { body: json, key: crypto.randomUUID() };
    return last.current.key;
  }, []);
  const done = useCallback(() => {
    last.current = undefined;
  }, []);
  return { keyFor, done };
}

/** `<input type="datetime-local">` value (the user's zone) -> ISO 8601 UTC, and back. */
export function localInputToIso(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoToLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
