/**
 * Lambda event filtering (an event source mapping's `FilterCriteria`), for the patterns the template
 * uses: a key whose pattern is a list matches when the value equals one of its literals or starts
 * with one of its `{ "prefix": … }`; a nested object matches field by field. Any other rule (numeric,
 * exists, anything-but, …) throws, so a new kind of filter gets implemented before it is trusted.
 */
type Pattern = Record<string, unknown>;

function matchesRule(rule: unknown, value: unknown): boolean {
  if (typeof rule === 'string' || typeof rule === 'number' || typeof rule === 'boolean' || rule === null) {
    return value === rule;
  }
  if (rule && typeof rule === 'object') {
    const entries = Object.entries(rule as Record<string, unknown>);
    if (entries.length === 1 && entries[0]?.[0] === 'prefix') {
      return typeof value === 'string' && value.startsWith(String(entries[0][1]));
    }
  }
  throw new Error(`filter rule ${JSON.stringify(rule)} is not supported (test/support/event-filter.ts)`);
}

export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = (event as Record<string, unknown> | undefined)?.[key];
    if (Array.isArray(rule)) return rule.some((r) => matchesRule(r, value));
    if (rule && typeof rule === 'object') return matchesPattern(rule as Pattern, value);
    throw new Error(
      `filter pattern ${JSON.stringify(pattern)} is not supported (test/support/event-filter.ts)`,
    );
  });
}

/** Does the record pass one of the mapping's filters (`FilterCriteria.Filters[].Pattern`, JSON text)? */
export function passesFilters(filters: readonly { Pattern: string }[] | undefined, event: unknown): boolean {
  if (!filters?.length) return true;
  return filters.some((f) => matchesPattern(JSON.parse(f.Pattern) as Pattern, event));
}
