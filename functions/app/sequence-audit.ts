import type { Dependencies } from '../adapters/dependencies.ts';
import { appendToChain, readAuditIntents, SEQUENCE_BATCH } from '../adapters/dynamo/audit-sequencer.ts';
import { chainOfPartition, readChainHead, TransactionConflict } from '../adapters/dynamo/transact.ts';
import { chainAfter } from '../domain/audit-chain.ts';

/** Attempts of one sequencer against others on the same chain before the batch is retried by the stream. */
const MAX_RACES = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Chains every audit entry waiting in partition `chainPk`, oldest first, SEQUENCE_BATCH at a time,
 * and moves the head (docs/api.md "Audit"). Run from the table's stream for each new entry; safe to run
 * twice or concurrently: whoever loses the race on the head reads again and finds less (or nothing)
 * left. Returns how many entries this call chained.
 */
export async function sequenceAudit(deps: Pick<Dependencies, 'db'>, chainPk: string): Promise<number> {
  const chain = chainOfPartition(chainPk);
  if (!chain) return 0;
  let chained = 0;
  for (let races = 0; ; ) {
    const intents = await readAuditIntents(deps.db, chain, SEQUENCE_BATCH);
    if (intents.length === 0) return chained;
    const head = await readChainHead(deps.db, chain);
    try {
      await appendToChain(deps.db, chain, head, chainAfter(head, intents), intents);
      chained += intents.length;
    } catch (error) {
      if (!(error instanceof TransactionConflict) || ++races >= MAX_RACES) throw error;
      await sleep(Math.random() * Math.min(200, 5 * 2 ** races));
    }
  }
}
