// Loaded by vitest.config.ts (setupFiles) before every test file.
import '../../local/polyfills.ts';
