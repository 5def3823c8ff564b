import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { BankDirectoryEntry } from '../../domain/entities.ts';
import { keys } from '../keys.ts';
import { TtlCache } from '../ttl-cache.ts';
import { bankFromItem, bankToItem } from './codec.ts';
import { batchGetAll, type Db } from './db.ts';
import { type AuditChange, commitChainedChange, systemChain } from './transact.ts';

/** The bank directory entry: the reference to its signing secrets, never the secrets (SecretStore). */
export async function getBank(db: Db, bankId: string): Promise<BankDirectoryEntry | undefined> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: keys.bank(bankId), ConsistentRead: true }),
  );
  return out.Item ? bankFromItem(out.Item) : undefined;
}

/**
 * How old a bank entry a delivery may use. Every push reads its bank (endpoint, mode, SLA, secret
 * reference) and entries change rarely; a change made in this process (the local runtime, one Lambda
 * container) is seen at once, one made elsewhere within this many milliseconds.
 */
export const BANK_CACHE_TTL_MS = 5_000;
/** Per Db (one per Lambda container; one for the whole local runtime; one per unit test). */
const bankCaches = new WeakMap<Db, TtlCache<BankDirectoryEntry | undefined>>();
const bankCacheOf = (db: Db) => {
  let cache = bankCaches.get(db);
  if (!cache) {
    cache = new TtlCache(BANK_CACHE_TTL_MS, Date.now, (bank) => bank !== undefined);
    bankCaches.set(db, cache);
  }
  return cache;
};

/** The bank as a delivery (push) needs it: read through the short cache above. */
export function getBankForDelivery(db: Db, bankId: string): Promise<BankDirectoryEntry | undefined> {
  return bankCacheOf(db).get(bankId, false, () => getBank(db, bankId));
}

/** Several banks by id (BatchGet in pages of 100); missing ids are absent from the map. */
export async function getBanks(db: Db, bankIds: Iterable<string>): Promise<Map<string, BankDirectoryEntry>> {
  const ids = [...new Set(bankIds)];
  const found = new Map<string, BankDirectoryEntry>();
  for (const item of await batchGetAll(
    db,
    ids.map((id) => keys.bank(id)),
  )) {
    const bank = bankFromItem(item);
    found.set(bank.bankId, bank);
  }
  return found;
}

/** Registers or updates a bank; the change goes to the system audit chain in the same transaction. */
export async function putBank(
  db: Db,
  bank: BankDirectoryEntry,
  audit: AuditChange,
  at: () => string,
): Promise<{ created: boolean }> {
  const result = await commitChainedChange(db, systemChain, at, async () => {
    const existing = await getBank(db, bank.bankId);
    const item = bankToItem({ ...bank, registeredAt: existing?.registeredAt ?? bank.registeredAt });
    return {
      ops: [
        {
          label: 'bank',
          op: {
            Put: {
              TableName: db.table,
              Item: item,
              ConditionExpression: existing ? 'updatedAt = :seen' : 'attribute_not_exists(PK)',
              ExpressionAttributeValues: existing ? { ':seen': existing.updatedAt } : undefined,
            },
          },
        },
      ],
      audit: [{ ...audit, action: existing ? 'BANK_UPDATED' : 'BANK_REGISTERED' }],
      result: { created: !existing },
      retryOn: ['bank'],
    };
  });
  bankCacheOf(db).delete(bank.bankId);
  return result;
}
