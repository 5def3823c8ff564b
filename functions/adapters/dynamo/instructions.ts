import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StopPaymentInstruction } from '../../domain/entities.ts';
import { ValidationProblem } from '../../domain/errors.ts';
import { caseIdOfInstruction } from '../../domain/ids.ts';
import { canTransitionFor, type InstructionStatus } from '../../domain/instruction-lifecycle.ts';
import { statusChangeDelta, type TotalsDelta } from '../../domain/totals.ts';
import { keys } from '../keys.ts';
import { instructionFromItem, instructionToItem } from './codec.ts';
import type { Db } from './db.ts';
import { dueIndexAttributes } from './due-index.ts';
import { caseTotalsOp } from './totals-ops.ts';
import { type AuditChange, caseChain, commitChainedChange, type LabeledOp } from './transact.ts';

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

/** An instruction as read, with the mark of its case's chain taken just before the read. */
export interface InstructionSnapshot {
  instruction: StopPaymentInstruction;
  mark: undefined;
}

export async function getInstructionSnapshot(
  db: Db,
  instructionId: string,
): Promise<InstructionSnapshot | undefined> {
  const caseId = caseIdOfInstruction(instructionId);
  if (!caseId) return undefined;
  const mark = undefined;
  const instruction = await getInstruction(db, instructionId);
  return instruction ? { instruction, mark } : undefined;
}

/**
 * The snapshot's instruction, to decide a first attempt on: the write is conditioned on its
 * version, so a snapshot gone stale fails that attempt and the next one reads again.
 */
export function stillCurrent(
  _db: Db,
  snapshot: InstructionSnapshot | undefined,
  instructionId: string,
): StopPaymentInstruction | undefined {
  return snapshot?.instruction.instructionId === instructionId ? snapshot.instruction : undefined;
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

/** The instruction's update as a transaction item, conditioned on the status it was read in. */
export function instructionUpdateOp(
  db: Db,
  instruction: StopPaymentInstruction,
  set: Record<string, unknown>,
): LabeledOp {
  // Optimistic lock: the write applies only to the instruction exactly as it was read (status and
  // version), so two concurrent changes (a release and an extension, say) cannot overwrite each other.
  const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':seen': instruction.status,
    ':version': instruction.version ?? 0,
    ':nextVersion': (instruction.version ?? 0) + 1,
  };
  const parts: string[] = ['#version = :nextVersion'];
  Object.entries(set).forEach(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    parts.push(`#a${i} = :a${i}`);
  });
  if (typeof set.status === 'string') {
    names['#g2'] = 'GSI2PK';
    values[':g2'] = keys.inboxByStatus(instruction.bankId, set.status);
    parts.push('#g2 = :g2');
  }
  // The sparse due index follows the instruction as it will be after this write (due-index.ts).
  const after = instructionFromItem({ ...instructionToItem(instruction), ...set });
  const due = dueIndexAttributes(after);
  names['#g3pk'] = 'GSI3PK';
  names['#g3sk'] = 'GSI3SK';
  let removal = '';
  if (due.GSI3PK && due.GSI3SK) {
    values[':g3pk'] = due.GSI3PK;
    values[':g3sk'] = due.GSI3SK;
    parts.push('#g3pk = :g3pk', '#g3sk = :g3sk');
  } else {
    removal = ' REMOVE #g3pk, #g3sk';
  }
  return {
    label: 'instruction',
    op: {
      Update: {
        TableName: db.table,
        Key: keys.instruction(instruction.caseId, instruction.instructionId),
        UpdateExpression: `SET ${parts.join(', ')}${removal}`,
        ConditionExpression:
          instruction.version === undefined || instruction.version === 0
            ? '#status = :seen AND (attribute_not_exists(#version) OR #version = :version)'
            : '#status = :seen AND #version = :version',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  };
}

export interface StatusChange {
  /** Decides, from the instruction as read now, what to write (undefined: nothing to do). */
  decide: (instruction: StopPaymentInstruction) =>
    | {
        set: Record<string, unknown>;
        delta?: TotalsDelta;
        audit: AuditChange[];
        extraOps?: LabeledOp[];
      }
    | undefined;
}

/**
 * Applies a change to one instruction with its totals delta and audit events in one transaction,
 * re-deciding if the instruction changed in between. Returns the instruction before and whether
 * anything was written.
 */
export interface ChangedInstruction {
  /** The instruction the change was decided on (as committed against, or as read when unchanged). */
  before: StopPaymentInstruction;
  changed: boolean;
  /** Its status after the change. */
  statusAfter: InstructionStatus;
}

export async function changeInstruction(
  db: Db,
  instructionId: string,
  at: () => string,
  change: StatusChange,
  /**
   * `known`: the instruction as the caller read it moments ago. The first attempt decides on it if
   * it is still current (stillCurrent; the version-locked write proves it); if it is not, calls for
   * no change, or the write finds it stale, the instruction is read again.
   */
  options: { known?: InstructionSnapshot } = {},
): Promise<ChangedInstruction | undefined> {
  const caseId = caseIdOfInstruction(instructionId);
  if (!caseId) return undefined;
  let known = options.known;
  return commitChainedChange<ChangedInstruction | undefined>(db, caseChain(caseId), at, async () => {
    let before = stillCurrent(db, known, instructionId);
    known = undefined;
    let decision = before ? change.decide(before) : undefined;
    if (!before || !decision) {
      before = await getInstruction(db, instructionId);
      if (!before) return { ops: [], audit: [], result: undefined };
      decision = change.decide(before);
    }
    if (!decision) {
      return { ops: [], audit: [], result: { before, changed: false, statusAfter: before.status } };
    }
    const to = decision.set.status as InstructionStatus | undefined;
    if (to && to !== before.status && !canTransitionFor(before.kind, before.status, to)) {
      throw new Error(`illegal transition ${before.status} -> ${to} for ${instructionId}`);
    }
    const now = at();
    const ops: LabeledOp[] = [instructionUpdateOp(db, before, decision.set), ...(decision.extraOps ?? [])];
    // Release instructions are listed apart and never counted among the freeze statuses.
    const delta =
      decision.delta ??
      (to && to !== before.status && before.kind === 'FREEZE'
        ? statusChangeDelta(before.status, to)
        : undefined);
    if (delta) ops.push(caseTotalsOp(db, caseId, delta, now));
    return {
      ops,
      audit: decision.audit,
      result: { before, changed: true, statusAfter: to ?? before.status },
      retryOn: ['instruction'],
    };
  });
}

export interface InboxPage {
  items: StopPaymentInstruction[];
  nextCursor: string | null;
}

/** Access pattern 2: a bank's instructions (optionally by status), oldest first, paginated. */
export async function queryInbox(
  db: Db,
  bankId: string,
  status: InstructionStatus | undefined,
  limit: number,
  cursor: string | undefined,
): Promise<InboxPage> {
  const indexPk = status ? keys.inboxByStatus(bankId, status) : keys.inbox(bankId);
  const startKey = cursor ? decodeCursor(cursor, status ? 'GSI2PK' : 'GSI1PK', indexPk) : undefined;
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: status ? 'inboxByStatus' : 'inbox',
      KeyConditionExpression: status ? 'GSI2PK = :pk' : 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': indexPk },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const nextCursor = out.LastEvaluatedKey
    ? Buffer.from(JSON.stringify(out.LastEvaluatedKey), 'utf8').toString('base64url')
    : null;
  return { items: (out.Items ?? []).map(instructionFromItem), nextCursor };
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
