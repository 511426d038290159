/**
 * The desk's settings that outlive a reload, in localStorage under one key each. A value that is missing, not
 * JSON or of the wrong shape reads as the fallback (a stale or hand-edited entry never breaks a view); storage
 * that refuses a write (private mode, quota) only loses the persistence, never the in-memory state.
 */
export function readStored<T>(key: string, fallback: T, valid: (v: unknown) => v is T): T {
  try {
    const raw = typeof localStorage !== 'undefined' ? localStorage.getItem(key) : null;
    if (raw == null) return fallback;
    const v: unknown = JSON.parse(raw);
    return valid(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

export function writeStored(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* not persisted; the state in memory stands */
  }
}

export const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
export const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
