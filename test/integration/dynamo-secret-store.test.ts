import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { getBank, getBanks } from '../../functions/adapters/dynamo/banks.ts';
import { keys } from '../../functions/adapters/keys.ts';
import { createRegisterBank } from '../../functions/register-bank/handler.ts';
import { DynamoSecretStore } from '../../local/dynamo-secret-store.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import { testDependencies } from '../support/fixtures.ts';
import { admin, apiEvent, call } from '../support/http-events.ts';

/** The local runtime's secret store: its own item in the table, apart from the bank item. */
const dynamo = useDynamoLocal();

describe('DynamoSecretStore (local runtime)', () => {
  it('keeps the secrets in SECRET#<bankId> / #SIGNING; the reference is that PK', async () => {
    const db = await dynamo.freshDb();
    const store = new DynamoSecretStore(db, () => new Date('2026-11-20T10:00:00.000Z'));
    const ref = await store.putSigningSecrets('B001', ['secret-A-0123456789']);
    expect(ref).toBe('SECRET#B001');
    const { Item } = await db.doc.send(
      new GetCommand({ TableName: db.table, Key: keys.signingSecrets('B001') }),
    );
    expect(Item).toEqual({
      PK: 'SECRET#B001',
      SK: '#SIGNING',
      type: 'SigningSecrets',
      bankId: 'B001',
      secrets: ['secret-A-0123456789'],
      updatedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(await store.getSigningSecrets(ref)).toEqual(['secret-A-0123456789']);
  });

  it('reads are cached like Secrets Manager reads in AWS; fresh reads and another process see the table', async () => {
    const db = await dynamo.freshDb();
    let clock = new Date('2026-11-20T10:00:00.000Z');
    const store = new DynamoSecretStore(db, () => clock);
    const ref = await store.putSigningSecrets('B001', ['secret-A-0123456789']);
    // Another process (another container) rotates the secret behind this store's back.
    await new DynamoSecretStore(db).putSigningSecrets('B001', ['secret-B-0123456789', 'secret-A-0123456789']);
    expect(await store.getSigningSecrets(ref)).toEqual(['secret-A-0123456789']); // cached
    expect(await store.getSigningSecrets(ref, { fresh: true })).toEqual([
      'secret-B-0123456789',
      'secret-A-0123456789',
    ]);
    await new DynamoSecretStore(db).putSigningSecrets('B001', ['secret-C-0123456789', 'secret-B-0123456789']);
    clock = new Date(clock.getTime() + 60_001); // past SECRET_CACHE_TTL_MS
    expect(await store.getSigningSecrets(ref)).toEqual(['secret-C-0123456789', 'secret-B-0123456789']);
  });

  it('a put replaces the value (two during a rotation), read back newest first', async () => {
    const store = new DynamoSecretStore(await dynamo.freshDb());
    const ref = await store.putSigningSecrets('B001', ['secret-A-0123456789']);
    await store.putSigningSecrets('B001', ['secret-B-0123456789', 'secret-A-0123456789']);
    expect(await store.getSigningSecrets(ref)).toEqual(['secret-B-0123456789', 'secret-A-0123456789']);
    await expect(store.putSigningSecrets('B001', ['a-secret', 'b-secret', 'c-secret'])).rejects.toThrow();
  });

  it('a missing secret reads as none; a reference of another store is refused', async () => {
    const store = new DynamoSecretStore(await dynamo.freshDb());
    expect(await store.getSigningSecrets('SECRET#B404')).toEqual([]);
    await expect(store.getSigningSecrets('freezeflow/banks/B001/signing')).rejects.toThrow();
  });

  it('registering and rotating through the handler: the bank item holds the reference, never a secret', async () => {
    const db = await dynamo.freshDb();
    const secrets = new DynamoSecretStore(db);
    const deps = testDependencies(db, { secrets });
    const register = (signingSecret: string) =>
      call<Record<string, unknown>>(
        createRegisterBank(deps),
        apiEvent('registerBank', {
          claims: admin(),
          path: { bankId: 'B001' },
          body: {
            name: 'First Bank',
            mode: 'push',
            endpoint: 'http://127.0.0.1:9/hook',
            slaSeconds: 60,
            signingSecret,
          },
        }),
      );
    expect((await register('secret-A-0123456789')).body).toMatchObject({ signingSecretsValid: 1 });
    const rotated = await register('secret-B-0123456789');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ signingSecretsValid: 2 });

    const bank = await getBank(db, 'B001');
    expect(bank).toMatchObject({ signingSecretRef: 'SECRET#B001', signingSecretsValid: 2 });
    expect(await secrets.getSigningSecrets(bank!.signingSecretRef!)).toEqual([
      'secret-B-0123456789',
      'secret-A-0123456789',
    ]);
    for (const read of [bank, (await getBanks(db, ['B001'])).get('B001'), rotated.body]) {
      expect(JSON.stringify(read)).not.toMatch(/secret-[AB]-0123456789/);
    }
    const { Items = [] } = await db.doc.send(new ScanCommand({ TableName: db.table, ConsistentRead: true }));
    const holding = Items.filter((item) => /secret-[AB]-0123456789/.test(JSON.stringify(item)));
    expect(holding.map((item) => `${item.PK} / ${item.SK}`)).toEqual(['SECRET#B001 / #SIGNING']);
  });
});
