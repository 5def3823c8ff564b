import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../functions/adapters/dynamo/db.ts';
import { keys } from '../functions/adapters/keys.ts';
import type { SecretStore } from '../functions/adapters/secret-store.ts';

const REFERENCE_PREFIX = 'SECRET#';

/**
 * The local runtime's secret store (never used in AWS, where Secrets Manager holds the secrets):
 * item `SECRET#<bankId> / #SIGNING` of the local table, apart from the bank item, so reading a bank
 * never reads a secret. The reference is the item's PK. No cache: DynamoDB Local is in-process cheap.
 */
export class DynamoSecretStore implements SecretStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

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
    return key.PK;
  }

  async getSigningSecrets(reference: string): Promise<string[]> {
    if (!reference.startsWith(REFERENCE_PREFIX))
      throw new Error(`${reference} is not a local signing secret reference`);
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
