import { parseArgs } from 'node:util';
import { type Role, roles } from '../functions/schemas/claims.ts';
import { DEV_JWT_SECRET, signDevToken } from './dev-jwt.ts';

/** `npm run token -- --role police --agency PSB-0001`: prints a dev JWT for the local API. */
const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    agency: { type: 'string' },
    bank: { type: 'string' },
    sub: { type: 'string' },
    'expires-in': { type: 'string' },
  },
});
const role = values.role as Role | undefined;
if (!role || !roles.includes(role)) {
  console.error(`usage: npm run token -- --role <${roles.join('|')}> [--agency ID] [--bank ID] [--sub ID]`);
  process.exit(2);
}
if (role === 'police' && !values.agency) {
  console.error('a police token needs --agency');
  process.exit(2);
}
if (role === 'bank' && !values.bank) {
  console.error('a bank token needs --bank');
  process.exit(2);
}
const token = await signDevToken(
  {
    role,
    agencyId: values.agency,
    bankId: values.bank,
    sub: values.sub,
    expiresInSeconds: values['expires-in'] ? Number(values['expires-in']) : undefined,
  },
  process.env.FREEZEFLOW_JWT_SECRET ?? DEV_JWT_SECRET,
);
console.log(token);
