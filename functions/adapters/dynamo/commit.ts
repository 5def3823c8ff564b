import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  ChangeSet,
  InstructionPatch,
  InstructionTransition,
  NewInstructionWrite,
} from '../../domain/change-set.ts';
import type { StopPaymentInstruction } from '../../domain/entities.ts';
import { MAX_HOLDS_PER_ACCOUNT } from '../../domain/freeze-order.ts';
import { keys } from '../keys.ts';
import { changeFeedAttributes, updateTime } from './change-feed-index.ts';
import { amountCounter, edgeToItem, instructionFromItem, instructionToItem, orderToItem } from './codec.ts';
import type { Db } from './db.ts';
import { dueIndexAttributes } from './due-index.ts';
import { idempotencyCompleteOp } from './idempotency.ts';
import { bankDayTotalsOp, bankHeldOp, caseTotalsOp } from './totals-ops.ts';
import {
  caseChain,
  commitChainedChange,
  type LabeledOp,
  MAX_TRANSACTION_ITEMS,
  TransactionConflict,
  transact,
} from './transact.ts';

/**
 * The ONE adapter that writes what the domain decided (domain/change-set.ts): a change set becomes a
 * single transaction, chained to the case's audit trail (commitChainedChange). `decide` runs again
 * on every attempt and must read the state it decides on: each transition is conditioned on the
 * status and version it was decided on, so a change that moved underneath makes the write fail and
 * the decision is made again.
 */
export async function commitCaseChange<A>(
  db: Db,
  caseId: string,
  at: () => string,
  decide: () => Promise<ChangeSet<A>>,
): Promise<A> {
  return commitChainedChange(db, caseChain(caseId), at, async () => {
    const change = await decide();
    return {
      ops: changeOps(db, caseId, change, at()),
      audit: change.audit,
      result: change.answer,
      retryOn: [...change.transitions.map(transitionLabel), FOLLOW_ON_ACCOUNT],
    };
  });
}

/** Labels of the writes whose failed condition names a rule (TransactionConflict.failedLabels). */
export const CONFIRMATION_LABEL = 'confirmation';
export const FOLLOW_ON_ACCOUNT = 'followOnAccount';
export const HOLD_LIMIT_PREFIX = 'account:';
export const transitionLabel = (t: InstructionTransition): string => `instruction:${t.before.instructionId}`;

/** Did the transaction fail on the hold limit? The accounts it failed on (bankId/accountNumber). */
export function holdLimitFailures(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionConflict)) return undefined;
  const accounts = error.failedLabels
    .filter((l) => l.startsWith(HOLD_LIMIT_PREFIX))
    .map((l) => l.slice(HOLD_LIMIT_PREFIX.length));
  return accounts.length > 0 ? accounts : undefined;
}

export const failedOn = (error: unknown, label: string): boolean =>
  error instanceof TransactionConflict && error.failedLabels.includes(label);

/** How many items the change set's transaction has (its audit events and chain head included). */
export function transactionSize(change: ChangeSet<unknown>): number {
  return changeOps(undefined, '', change, '').length + change.audit.length + 1;
}

/**
 * An order too large for one transaction (DynamoDB: 100 items): the new instructions go first in
 * re-runnable chunks (unconditional puts of deterministic items, set-ADD markers) under the
 * IN_PROGRESS idempotency lease the caller took; the rest (order, totals, audit, answer) commits last,
 * once. A chunk refused on the hold limit undoes the chunks written before it.
 */
export async function commitInChunks<A>(
  db: Db,
  caseId: string,
  at: () => string,
  change: ChangeSet<A>,
): Promise<A> {
  const written: StopPaymentInstruction[] = [];
  const chunkSize = Math.floor(MAX_TRANSACTION_ITEMS / 2);
  try {
    for (let i = 0; i < change.created.length; i += chunkSize) {
      const chunk = change.created.slice(i, i + chunkSize);
      await transact(
        db,
        chunk.flatMap((c) => createdOps(db, c, false)),
      );
      written.push(...chunk.map((c) => c.instruction));
    }
  } catch (error) {
    await rollbackInstructions(db, written);
    throw error;
  }
  const idempotency = change.idempotency && { ...change.idempotency, expectInProgress: true };
  return commitCaseChange(db, caseId, at, async () => ({ ...change, created: [], idempotency }));
}

function changeOps(db: Db | undefined, caseId: string, change: ChangeSet<unknown>, now: string): LabeledOp[] {
  // `db` is absent only when counting (transactionSize): the table's name does not change the count.
  const d: Db = db ?? ({ table: '' } as Db);
  const ops: LabeledOp[] = [];
  // The confirmation first: a cancelled transaction's reasons are positional (tests name them so).
  if (change.confirmation) {
    const c = change.confirmation;
    ops.push({
      label: CONFIRMATION_LABEL,
      op: {
        Put: {
          TableName: d.table,
          Item: {
            ...keys.confirmation(c.caseId, c.bankId, c.confirmationId),
            type: 'BankConfirmation',
            caseId: c.caseId,
            instructionId: c.instructionId,
            bankId: c.bankId,
            confirmationId: c.confirmationId,
            ...c.fields,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    });
  }
  for (const t of change.transitions) ops.push(instructionUpdateOp(d, t));
  for (const c of change.created) ops.push(...createdOps(d, c, true));
  if (change.order) {
    ops.push({
      label: 'order',
      op: {
        Put: {
          TableName: d.table,
          Item: orderToItem(change.order),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    });
  }
  for (const edge of change.edges) {
    ops.push({ label: 'edge', op: { Put: { TableName: d.table, Item: edgeToItem(caseId, edge) } } });
  }
  if (change.caseTotals) {
    ops.push(
      caseTotalsOp(d, caseId, change.caseTotals.delta, now, change.caseTotals.newInstructionHops ?? []),
    );
  }
  if (change.bankDay) {
    const b = change.bankDay;
    const counters = new Map<string, bigint>();
    for (const name of ['received', 'confirmed', 'overdue', 'late'] as const) {
      const n = b[name];
      if (n !== undefined) counters.set(name, n);
    }
    if (b.frozen && b.frozen.minor > 0n)
      counters.set(amountCounter('frozen', b.frozen.currency), b.frozen.minor);
    ops.push(bankDayTotalsOp(d, b.at.slice(0, 10), b.bankId, counters, b.at, b.latencySeconds));
  }
  for (const h of change.bankHeld) ops.push(bankHeldOp(d, h.bankId, h.amount.currency, h.amount.minor, now));
  if (change.idempotency) {
    const i = change.idempotency;
    ops.push(
      idempotencyCompleteOp(
        d,
        i.callerScope,
        i.key,
        i.hash,
        i.response,
        Date.parse(now) || 0,
        i.expectInProgress,
      ),
    );
  }
  return ops;
}

/** The patch in the item's own shape (money as JSON, the entity's codec: adapters/dynamo/codec.ts). */
function patchAttributes(before: StopPaymentInstruction, patch: InstructionPatch): Record<string, unknown> {
  const item = instructionToItem({ ...before, ...patch });
  return Object.fromEntries(
    Object.keys(patch)
      .filter((k) => (patch as Record<string, unknown>)[k] !== undefined)
      .map((k) => [k, item[k]]),
  );
}

/**
 * An instruction's change as a transaction item, conditioned on the status and version it was read
 * in (optimistic lock: two concurrent changes, a release and an extension say, cannot overwrite each
 * other). The inbox-by-status and the sparse due index follow the instruction as it will be.
 */
function instructionUpdateOp(db: Db, t: InstructionTransition): LabeledOp {
  const instruction = t.before;
  const set = patchAttributes(instruction, t.patch);
  const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':seen': instruction.status,
    ':version': instruction.version ?? 0,
    ':nextVersion': (instruction.version ?? 0) + 1,
  };
  const parts: string[] = ['#version = :nextVersion'];
  // The change feed (change-feed-index.ts) moves with every write the bank could see.
  const feed = changeFeedAttributes(
    instruction.bankId,
    instruction.instructionId,
    updateTime(instruction.updatedAt),
  );
  Object.entries({ ...feed, ...set }).forEach(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    parts.push(`#a${i} = :a${i}`);
  });
  if (typeof set.status === 'string') {
    names['#g2'] = 'GSI2PK';
    values[':g2'] = keys.inboxByStatus(instruction.bankId, set.status);
    parts.push('#g2 = :g2');
  }
  const due = dueIndexAttributes(instructionFromItem({ ...instructionToItem(instruction), ...feed, ...set }));
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
    label: transitionLabel(t),
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

function createdOps(db: Db, c: NewInstructionWrite, conditional: boolean): LabeledOp[] {
  const i = c.instruction;
  const put: LabeledOp = {
    label: `new:${i.instructionId}`,
    op: {
      Put: {
        TableName: db.table,
        Item: instructionToItem(i),
        ConditionExpression: conditional ? 'attribute_not_exists(PK)' : undefined,
      },
    },
  };
  return c.account === 'none' ? [put] : [put, targetedAccountOp(db, i, c.account)];
}

/**
 * Adds the instruction to its account's marker in the case (its set of holds). `holdLimit`: refused
 * past MAX_HOLDS_PER_ACCOUNT, re-runnable. `firstTarget`: refused when the account is already targeted.
 */
function targetedAccountOp(db: Db, i: StopPaymentInstruction, rule: 'holdLimit' | 'firstTarget'): LabeledOp {
  const holdLimit = rule === 'holdLimit';
  return {
    label: holdLimit ? `${HOLD_LIMIT_PREFIX}${i.bankId}/${i.accountNumber}` : FOLLOW_ON_ACCOUNT,
    op: {
      Update: {
        TableName: db.table,
        Key: keys.targetedAccount(i.caseId, i.bankId, i.accountNumber),
        UpdateExpression:
          'SET #type = :type, bankId = :bank, accountNumber = :account ADD instructionIds :ids',
        ConditionExpression: holdLimit
          ? 'attribute_not_exists(instructionIds) OR size(instructionIds) < :max OR contains(instructionIds, :id)'
          : 'attribute_not_exists(instructionIds)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'TargetedAccount',
          ':bank': i.bankId,
          ':account': i.accountNumber,
          ':ids': new Set([i.instructionId]),
          // DynamoDB refuses values the expressions do not use.
          ...(holdLimit ? { ':id': i.instructionId, ':max': MAX_HOLDS_PER_ACCOUNT } : {}),
        },
      },
    },
  };
}

/** Undoes the chunks of an order that could not be completed (a hold-limit race lost mid-way). */
async function rollbackInstructions(db: Db, instructions: StopPaymentInstruction[]): Promise<void> {
  for (const i of instructions) {
    await db.doc.send(
      new DeleteCommand({ TableName: db.table, Key: keys.instruction(i.caseId, i.instructionId) }),
    );
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.targetedAccount(i.caseId, i.bankId, i.accountNumber),
        UpdateExpression: 'DELETE instructionIds :ids',
        ExpressionAttributeValues: { ':ids': new Set([i.instructionId]) },
      }),
    );
  }
}
