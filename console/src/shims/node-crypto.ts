/**
 * The browser build's `node:crypto` (console/vite.config.ts alias): the console shares the API's
 * schemas, whose id module (functions/domain/ids.ts) imports randomBytes to mint server ids.
 * The console never mints one, but the import must resolve; Web Crypto gives the same bytes.
 */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
