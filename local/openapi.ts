import { writeFileSync } from 'node:fs';
import { buildOpenApi } from '../functions/schemas/openapi.ts';

/** `npm run openapi`: writes openapi.json from the route table and the zod schemas. */
const file = new URL('../openapi.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
