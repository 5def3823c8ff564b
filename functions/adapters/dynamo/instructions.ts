import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type InstructionDecision, instructionChange, noChange } from '../../domain/change-set.ts';
import type { StopPaymentInstruction } from '../../domain/entities.ts';
import { ValidationProblem } from '../../domain/errors.ts';
import { caseIdOfInstruction } from '../../domain/ids.ts';
import type { InstructionStatus } from '../../domain/instruction-lifecycle.ts';
import { keys, skPrefix } from '../keys.ts';
import { queryCase } from './cases.ts';
import { instructionFromItem } from './codec.ts';
import { commitCaseChange } from './commit.ts';
import type { Db } from './db.ts';

/** Access pattern 3: an instruction by id (its id names its case), with its task token. */
export async function getInstructionItem(db: Db, instructionId: string) {
  const caseId = caseIdOfInstruction(instructionId);
  if (!caseId) return undefined;
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.table,
      Key: keys.instruction(caseId, instructionId),
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

export async function getInstruction(
  db: Db,
  instructionId: string,
): Promise<StopPaymentInstruction | undefined> {
  const item = await getInstructionItem(db, instructionId);
  return item ? instructionFromItem(item) : undefined;
}

/** Every instruction of a case (freeze and release), one Query (paged). */
export async function caseInstructions(db: Db, caseId: string): Promise<StopPaymentInstruction[]> {
  return (await queryCase(db, caseId, skPrefix.instruction)).map(instructionFromItem);
}

export async function getTaskToken(db: Db, instructionId: string): Promise<string | undefined> {
  const item = await getInstructionItem(db, instructionId);
  return typeof item?.taskToken === 'string' ? item.taskToken : undefined;
}

/** Stores the workflow's task token; returns the instruction as it is after the write. */
export async function storeTaskToken(
  db: Db,
  instructionId: string,
  taskToken: string,
): Promise<StopPaymentInstruction | undefined> {
  const caseId = caseIdOfInstruction(instructionId);
  if (!caseId) return undefined;
  const out = await db.doc.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.instruction(caseId, instructionId),
      UpdateExpression: 'SET taskToken = :token',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':token': taskToken },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return out.Attributes ? instructionFromItem(out.Attributes) : undefined;
}

/**
 * Applies one decision to one instruction (domain/change-set.ts `instructionChange`: its status
 * change checked against the lifecycle) with its totals and audit entries, in one transaction
 * (adapters/dynamo/commit.ts). `decide` runs on the instruction as read now, again on every attempt
 * if the instruction changed in between; undefined: nothing to do.
 */
export interface ChangedInstruction {
  /** The instruction the change was decided on. */
  before: StopPaymentInstruction;
  changed: boolean;
  /** Its status after the change. */
  statusAfter: InstructionStatus;
}

export async function changeInstruction(
  db: Db,
  instructionId: string,
  at: () => string,
  change: { decide: (instruction: StopPaymentInstruction) => InstructionDecision | undefined },
): Promise<ChangedInstruction | undefined> {
  const caseId = caseIdOfInstruction(instructionId);
  if (!caseId) return undefined;
  return commitCaseChange<ChangedInstruction | undefined>(db, caseId, at, async () => {
    const before = await getInstruction(db, instructionId);
    if (!before) return noChange(undefined);
    const decision = change.decide(before);
    if (!decision) return noChange({ before, changed: false, statusAfter: before.status });
    return instructionChange(before, decision, {
      before,
      changed: true,
      statusAfter: decision.patch.status ?? before.status,
    });
  });
}

export interface InboxPage {
  items: StopPaymentInstruction[];
  nextCursor: string | null;
}

/** Which inbox listing, and where it starts. */
export interface InboxQuery {
  status?: InstructionStatus | undefined;
  /** The change feed: instructions written at or after this time, oldest change first. */
  updatedSince?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * Access pattern 2: a bank's instructions, oldest first, by status, or by last change (the change
 * feed), paginated. A status filter on the feed is a FilterExpression, so a DynamoDB page may hold
 * no match: the query goes on until it has an item or reaches the end, and a page with no item
 * never carries a cursor.
 */
export async function queryInbox(db: Db, bankId: string, query: InboxQuery): Promise<InboxPage> {
  const { status, updatedSince, limit } = query;
  const feed = updatedSince !== undefined;
  const index = feed
    ? { name: 'inboxByUpdate', pk: 'GSI4PK', value: keys.inbox(bankId) }
    : status
      ? { name: 'inboxByStatus', pk: 'GSI2PK', value: keys.inboxByStatus(bankId, status) }
      : { name: 'inbox', pk: 'GSI1PK', value: keys.inbox(bankId) };
  let startKey = query.cursor ? decodeCursor(query.cursor, index.pk, index.value) : undefined;
  const items: StopPaymentInstruction[] = [];
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: index.name,
        KeyConditionExpression: feed ? `${index.pk} = :pk AND GSI4SK >= :since` : `${index.pk} = :pk`,
        ...(feed && status ? { FilterExpression: '#status = :status' } : {}),
        ...(feed && status ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ExpressionAttributeValues: {
          ':pk': index.value,
          ...(feed ? { ':since': new Date(updatedSince).toISOString() } : {}),
          ...(feed && status ? { ':status': status } : {}),
        },
        Limit: limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(out.Items ?? []).map(instructionFromItem));
    startKey = out.LastEvaluatedKey;
  } while (startKey && items.length === 0);
  const nextCursor =
    startKey && items.length > 0 ? Buffer.from(JSON.stringify(startKey), 'utf8').toString('base64url') : null;
  return { items, nextCursor };
}

/** A cursor is only ever a key of this bank's own page: anything else is a bad `cursor`. */
function decodeCursor(cursor: string, indexPkName: string, indexPk: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const names = Object.keys(key).sort().join(',');
    const expected = [indexPkName, indexPkName.replace('PK', 'SK'), 'PK', 'SK'].sort().join(',');
    const wellFormed =
      key[indexPkName] === indexPk &&
      names === expected &&
      typeof key.PK === 'string' &&
      key.PK.startsWith('CASE#') &&
      typeof key.SK === 'string' &&
      key.SK.startsWith('INSTR#') &&
      typeof key[indexPkName.replace('PK', 'SK')] === 'string' &&
      /^\d{4}-\d{2}-\d{2}T.+#.+$/.test(String(key[indexPkName.replace('PK', 'SK')]));
    if (wellFormed) {
      return key;
    }
  } catch {
    // falls through to the 422 below
  }
  throw new ValidationProblem([{ path: 'cursor', message: 'not a cursor of this listing' }]);
}
