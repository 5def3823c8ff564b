import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { freezeflowTable, type KeyAttribute } from '../../functions/adapters/table-definition.ts';

/** DynamoDB TTL attribute (epoch seconds) of expiring items (idempotency records). */
export const TTL_ATTRIBUTE = 'expiresAt';

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/**
 * The single table of functions/adapters/table-definition.ts: on-demand, point-in-time recovery,
 * encrypted with a customer-managed key (rotated yearly), stream of new images, retained on delete.
 */
export class Tables extends Construct {
  readonly table: dynamodb.Table;
  /** Encrypts the table and its stream, and the stream consumer's dead-letter queue. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'TableKey', {
      description: 'freezeflow: table, stream and stream DLQ encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Table, not TableV2: a TableV2 with a customer-managed key cannot render in an env-agnostic stack
    // (its replica SSE specification needs a concrete region).
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: attribute(freezeflowTable.partitionKey),
      sortKey: attribute(freezeflowTable.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: dynamodb.StreamViewType[freezeflowTable.stream],
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of freezeflowTable.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: attribute(gsi.partitionKey),
        sortKey: attribute(gsi.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
