import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { traced } from './tracer.ts';
import { TtlCache } from './ttl-cache.ts';

/** The secrets cache of both stores: a missing secret is never remembered. */
export const secretCache = (ttlMs: number, nowMs: () => number) =>
  new TtlCache<readonly string[]>(ttlMs, nowMs, (secrets) => secrets.length > 0);

/**
 * Where the banks' webhook signing secrets live (issue §3): Secrets Manager in AWS, a separate table
 * item locally. The bank directory entry holds only the reference `putSigningSecrets` returns, so
 * nothing that reads a bank (`getBank`, every GET route) ever carries a secret.
 *
 * Secrets are newest first; during a rotation there are two, and the push signs with both.
 */
export interface SecretStore {
  /** Replaces the bank's valid secrets (newest first) and answers the reference to store on the bank. */
  putSigningSecrets(bankId: string, secrets: string[]): Promise<string>;
  /**
   * The valid secrets behind a reference, newest first; `[]` when the secret does not exist.
   * `fresh` skips any read cache (register-bank reads before it rotates).
   */
  getSigningSecrets(reference: string, options?: SecretReadOptions): Promise<string[]>;
}

export const SECRET_PREFIX_ENV = 'FREEZEFLOW_SECRET_PREFIX';
export const SECRETS_KMS_KEY_ENV = 'FREEZEFLOW_SECRETS_KMS_KEY';

/**
 * How long a process reuses a secret it read (a fan-out of 500 pushes to one bank reads it once).
 * A rotation in the same process takes effect at once (the put replaces the cached value); another
 * process (a warm dispatch-instruction) may sign with the secrets it read up to this long before the
 * rotation. That is safe because a rotation keeps the previous secret valid: a bank must keep
 * accepting its previous secret for at least this long after it rotates.
 */
export const SECRET_CACHE_TTL_MS = 60_000;

export interface SecretReadOptions {
  /** Skip any read cache (register-bank reads before it rotates). */
  fresh?: boolean;
  /** The bank entry's signingSecretsRotatedAt: a value cached before that rotation is not used. */
  rotatedAt?: string | undefined;
}

/** The cache key of a read: one per rotation, so a container never signs with secrets it cached before it. */
export const secretCacheKey = (reference: string, options: SecretReadOptions) =>
  options.rotatedAt ? `${reference}@${options.rotatedAt}` : reference;

/** Secret names allow `A-Za-z0-9/_+=.@-`; bank ids `A-Za-z0-9._~-`: `~` (and only it) is mapped, to `+`. */
export function signingSecretName(prefix: string, bankId: string): string {
  return `${prefix.replace(/\/+$/, '')}/banks/${bankId.replaceAll('~', '+')}/signing`;
}

/** The secret's JSON value: `{"secrets": ["newest", "previous"]}`. */
export function encodeSigningSecrets(secrets: readonly string[]): string {
  return JSON.stringify({ secrets });
}

export function decodeSigningSecrets(text: string | undefined, reference: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    parsed = undefined;
  }
  const secrets = (parsed as { secrets?: unknown } | undefined)?.secrets;
  if (!Array.isArray(secrets) || !secrets.every((s) => typeof s === 'string' && s.length > 0)) {
    // Never echo the value: it is (or holds) secret material.
    throw new Error(`signing secret ${reference} is not {"secrets": [string, ...]}`);
  }
  return secrets as string[];
}

function checkSecrets(bankId: string, secrets: readonly string[]): void {
  if (secrets.length > 2 || secrets.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new Error(`bank ${bankId}: at most two non-empty signing secrets`);
  }
}

/**
 * AWS: one secret per bank, `${prefix}/banks/${bankId}/signing`, holding `{"secrets": [...]}`,
 * encrypted with the given KMS key (the stack's customer-managed key) or Secrets Manager's default.
 * The reference is the secret's name. Reads are cached for SECRET_CACHE_TTL_MS (see there).
 */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly cache: TtlCache<readonly string[]>;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly options: { kmsKeyId?: string; ttlMs?: number; nowMs?: () => number } = {},
  ) {
    this.cache = secretCache(options.ttlMs ?? SECRET_CACHE_TTL_MS, options.nowMs ?? Date.now);
  }

  async putSigningSecrets(bankId: string, secrets: string[]): Promise<string> {
    checkSecrets(bankId, secrets);
    const name = signingSecretName(this.prefix, bankId);
    const SecretString = encodeSigningSecrets(secrets);
    if (await this.exists(name)) {
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
    } else {
      try {
        await this.client.send(
          new CreateSecretCommand({
            Name: name,
            SecretString,
            Description: `freezeflow: webhook signing secrets of bank ${bankId} (newest first)`,
            ...(this.options.kmsKeyId ? { KmsKeyId: this.options.kmsKeyId } : {}),
          }),
        );
      } catch (error) {
        // Created by a concurrent registration in between: write our value over it.
        if (!(error instanceof ResourceExistsException)) throw error;
        await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
      }
    }
    this.cache.set(name, [...secrets]);
    return name;
  }

  async getSigningSecrets(reference: string, options: SecretReadOptions = {}): Promise<string[]> {
    const key = secretCacheKey(reference, options);
    const secrets = await this.cache.get(key, options.fresh === true, async () => {
      try {
        const out = await this.client.send(new GetSecretValueCommand({ SecretId: reference }));
        return decodeSigningSecrets(out.SecretString, reference);
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return [];
        throw error;
      }
    });
    return [...secrets];
  }

  private async exists(name: string): Promise<boolean> {
    try {
      const out = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      if (out.DeletedDate) {
        throw new Error(`signing secret ${name} is scheduled for deletion: restore it (RestoreSecret) first`);
      }
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }
}

/** The AWS store of a Lambda function; a function without the prefix fails only when it uses it. */
export function secretStoreFromEnvironment(env: NodeJS.ProcessEnv = process.env): SecretStore {
  const prefix = env[SECRET_PREFIX_ENV];
  if (!prefix) {
    const missing = async (): Promise<never> => {
      throw new Error(`${SECRET_PREFIX_ENV} is not set for this function`);
    };
    return { putSigningSecrets: missing, getSigningSecrets: missing };
  }
  const kmsKeyId = env[SECRETS_KMS_KEY_ENV];
  return new SecretsManagerSecretStore(
    traced(new SecretsManagerClient({})),
    prefix,
    kmsKeyId ? { kmsKeyId } : {},
  );
}

/** Tests: secrets in a Map; the reference is `memory:<bankId>`. */
export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string[]>();

  async putSigningSecrets(bankId: string, secrets: string[]): Promise<string> {
    checkSecrets(bankId, secrets);
    const reference = `memory:${bankId}`;
    this.values.set(reference, [...secrets]);
    return reference;
  }

  async getSigningSecrets(reference: string): Promise<string[]> {
    return [...(this.values.get(reference) ?? [])];
  }
}
