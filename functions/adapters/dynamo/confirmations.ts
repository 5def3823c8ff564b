import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredConfirmation } from '../../domain/confirmation-change.ts';
import type { MoneyJson } from '../../domain/money.ts';
import { keys } from '../keys.ts';
import type { Db } from './db.ts';

/**
 * A bank's confirmation as stored (written by adapters/dynamo/commit.ts from the change set of
 * domain/confirmation-change.ts): what a replay answers with and what the trail is followed from.
 */
export interface ConfirmationItem extends StoredConfirmation {
  caseId: string;
  bankId: string;
  kind: 'FREEZE' | 'RELEASE';
  frozen?: MoneyJson;
  onwardTransfers?: {
    toBankId: string;
    toAccount: string;
    amount: MoneyJson;
    transferredAt?: string;
    reference?: string;
  }[];
}

export async function getConfirmation(
  db: Db,
  caseId: string,
  bankId: string,
  confirmationId: string,
): Promise<ConfirmationItem | undefined> {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.table,
      Key: keys.confirmation(caseId, bankId, confirmationId),
      ConsistentRead: true,
    }),
  );
  return out.Item as ConfirmationItem | undefined;
}
