// A sandbox's first module: plain JavaScript, so that it can register the TypeScript loader the
// handlers need before it imports them (a worker does not inherit the main thread's loader).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
