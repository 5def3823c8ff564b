import type { Dependencies } from '../adapters/dependencies.ts';
import { getBank, putBank } from '../adapters/dynamo/banks.ts';
import type { BankDirectoryEntry } from '../domain/entities.ts';
import { ValidationProblem } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { type RegisterBankInput, registerBankBody } from '../schemas/api.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** In AWS a push endpoint must be https; the local runtime also accepts http on loopback. */
function endpointProblem(endpoint: string, allowLoopbackHttp: boolean): string | undefined {
  const url = new URL(endpoint);
  if (url.protocol === 'https:') return undefined;
  if (allowLoopbackHttp && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return allowLoopbackHttp ? 'must be https (or http on 127.0.0.1 locally)' : 'must be https';
}

/**
 * Rotation: a new secret goes first and the previous one stays valid beside it (two at most); the
 * one before the previous is dropped. Sending the current secret again changes nothing.
 */
export function rotateSecrets(existing: string[], next: string | undefined): string[] {
  if (!next) return existing;
  return [next, ...existing.filter((s) => s !== next)].slice(0, 2);
}

/** The registration as the bank routes answer it (docs/api.md "Banks"): never a secret. */
export const bankView = (b: BankDirectoryEntry) => ({
  bankId: b.bankId,
  name: b.name,
  mode: b.mode,
  ...(b.endpoint ? { endpoint: b.endpoint } : {}),
  slaSeconds: b.slaSeconds,
  secretOnFile: b.signingSecretsValid > 0,
  signingSecretsValid: b.signingSecretsValid,
  registeredAt: b.registeredAt,
  updatedAt: b.updatedAt,
});
export type BankView = ReturnType<typeof bankView>;

const sameSecrets = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * The secrets go to the SecretStore (Secrets Manager in AWS), the bank item keeps only the reference
 * and the count. Without a new secret the reference stays as it is. The store is written before the
 * bank item: a reference on a bank item always names secrets that exist.
 */
async function storeSecrets(
  deps: Dependencies,
  bankId: string,
  existing: BankDirectoryEntry | undefined,
  next: string | undefined,
): Promise<Pick<BankDirectoryEntry, 'signingSecretRef' | 'signingSecretsValid'>> {
  const kept = {
    signingSecretRef: existing?.signingSecretRef,
    signingSecretsValid: existing?.signingSecretsValid ?? 0,
  };
  if (!next) return kept;
  const current = kept.signingSecretRef
    ? await deps.secrets.getSigningSecrets(kept.signingSecretRef, { fresh: true })
    : [];
  const secrets = rotateSecrets(current, next);
  if (kept.signingSecretRef && sameSecrets(secrets, current)) {
    return { ...kept, signingSecretsValid: current.length };
  }
  const signingSecretRef = await deps.secrets.putSigningSecrets(bankId, secrets);
  return { signingSecretRef, signingSecretsValid: secrets.length };
}

/**
 * PUT /banks/{bankId}: validates the body against what is on file (an update may leave the secret
 * out), stores the secrets, then the entry with a system audit event. `parse` is the route's body
 * parser (422 naming each field), given the schema that fits the bank on file.
 */
export async function registerBank(
  deps: Dependencies,
  bankId: string,
  parse: (schema: ReturnType<typeof registerBankBody>) => RegisterBankInput,
  actor: string,
): Promise<{ created: boolean; bank: BankView }> {
  const validId = ID_PATTERN.test(bankId);
  const existing = validId ? await getBank(deps.db, bankId) : undefined;
  const input = parse(registerBankBody({ secretOnFile: Boolean(existing?.signingSecretRef) }));
  const errors = [];
  if (!validId) errors.push({ path: 'pathParameters.bankId', message: 'must match [A-Za-z0-9._~-]{1,128}' });
  const endpointError = input.endpoint ? endpointProblem(input.endpoint, deps.allowLoopbackHttp) : undefined;
  if (endpointError) errors.push({ path: 'endpoint', message: endpointError });
  if (errors.length) throw new ValidationProblem(errors);

  const now = deps.now().toISOString();
  const bank: BankDirectoryEntry = {
    bankId,
    name: input.name,
    mode: input.mode,
    endpoint: input.mode === 'push' ? input.endpoint : undefined,
    slaSeconds: input.slaSeconds,
    ...(await storeSecrets(deps, bankId, existing, input.signingSecret)),
    registeredAt: existing?.registeredAt ?? now,
    updatedAt: now,
  };
  const { created } = await putBank(
    deps.db,
    bank,
    { actor, action: 'BANK_REGISTERED', subject: `${bankId}:${bank.mode}` },
    () => deps.now().toISOString(),
  );
  return { created, bank: bankView(bank) };
}

/** GET /banks/{bankId} (admin, that bank): the registration, or undefined when there is none. */
export async function readBank(deps: Dependencies, bankId: string): Promise<BankView | undefined> {
  const bank = ID_PATTERN.test(bankId) ? await getBank(deps.db, bankId) : undefined;
  return bank ? bankView(bank) : undefined;
}
