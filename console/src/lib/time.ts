/** Times are shown in the user's zone; the UTC ISO string is the hover title. */
export function formatLocalTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

/** "2 h 03 min", "45 s", "overdue by 12 s": a countdown to `iso` from `nowMs`. */
export function countdown(iso: string, nowMs: number): { text: string; past: boolean } {
  const ms = Date.parse(iso) - nowMs;
  const past = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const text =
    d > 0
      ? `${d} d ${h} h`
      : h > 0
        ? `${h} h ${String(m).padStart(2, '0')} min`
        : m > 0
          ? `${m} min ${String(s).padStart(2, '0')} s`
          : `${s} s`;
  return { text: past ? `${text} ago` : `in ${text}`, past };
}
