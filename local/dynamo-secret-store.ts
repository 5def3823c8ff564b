import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../functions/adapters/dynamo/db.ts';
import { keys } from '../functions/adapters/keys.ts';
import {
  SECRET_CACHE_TTL_MS,
  type SecretReadOptions,
  type SecretStore,
  secretCache,
  secretCacheKey,
} from '../functions/adapters/secret-store.ts';
import type { TtlCache } from '../functions/adapters/ttl-cache.ts';

const REFERENCE_PREFIX = 'SECRET#';

/**
 * The local runtime's secret store (never used in AWS, where Secrets Manager holds the secrets):
 * item `SECRET#<bankId> / #SIGNING` of the local table, apart from the bank item, so reading a bank
 * never reads a secret. The reference is the item's PK. Reads are cached as in AWS (SECRET_CACHE_TTL_MS;
 * a put in this process replaces the cached value), so a fan-out does not read the secret per push.
 */
export class DynamoSecretStore implements SecretStore {
  private readonly cache: TtlCache<readonly string[]>;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.cache = secretCache(SECRET_CACHE_TTL_MS, () => this.now().getTime());
  }

  async putSigningSecrets(bankId: string, secrets: string[]): Promise<string> {
    if (secrets.length > 2 || secrets.some((s) => s.length === 0)) {
      throw new Error(`bank ${bankId}: at most two non-empty signing secrets`);
    }
    const key = keys.signingSecrets(bankId);
    await this.db.doc.send(
      new PutCommand({
        TableName: this.db.table,
        Item: {
          ...key,
          type: 'SigningSecrets',
          bankId,
          secrets: [...secrets],
          updatedAt: this.now().toISOString(),
        },
      }),
    );
    this.cache.set(key.PK, [...secrets]);
    return key.PK;
  }

  async getSigningSecrets(reference: string, options: SecretReadOptions = {}): Promise<string[]> {
    if (!reference.startsWith(REFERENCE_PREFIX))
      throw new Error(`${reference} is not a local signing secret reference`);
    const key = secretCacheKey(reference, options);
    return [...(await this.cache.get(key, options.fresh === true, () => this.read(reference)))];
  }

  private async read(reference: string): Promise<string[]> {
    const out = await this.db.doc.send(
      new GetCommand({
        TableName: this.db.table,
        Key: keys.signingSecrets(reference.slice(REFERENCE_PREFIX.length)),
        ConsistentRead: true,
      }),
    );
    const secrets = out.Item?.secrets;
    return Array.isArray(secrets) ? secrets.map(String) : [];
  }
}
