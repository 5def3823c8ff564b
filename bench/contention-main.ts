import { parseArgs } from 'node:util';
import { DEV_JWT_SECRET } from '../local/dev-jwt.ts';
import { contentionFigure, contentionTable } from './contention.ts';

/** `npm run bench:contention [-- --k 50,150]`: figure (g) alone (npm run bench runs it with the rest). */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.FREEZEFLOW_LOG_LEVEL ??= 'SILENT';
const { values } = parseArgs({ options: { k: { type: 'string', default: '50,150,500' } } });
const ks = String(values.k)
  .split(',')
  .map((k) => Number(k));
const results = await contentionFigure({ ks, jwtSecret: DEV_JWT_SECRET, log: (l) => console.log(l) });
for (const line of contentionTable(results)) console.log(line);
process.exit(0);
