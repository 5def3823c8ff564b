import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Dependencies } from '../../../functions/adapters/dependencies.ts';
import { keys } from '../../../functions/adapters/keys.ts';
import { MemorySecretStore } from '../../../functions/adapters/secret-store.ts';
import { createRegisterBank } from '../../../functions/register-bank/handler.ts';
import {
  bankItem,
  claims,
  errorPaths,
  expectProblem,
  FakeTable,
  httpEvent,
  invoke,
  NOW,
  putOfType,
  testDeps,
} from './support.ts';

const table = new FakeTable();
/** Where the handler keeps the secrets (the bank item holds only the reference). */
let secrets = new MemorySecretStore();
beforeEach(() => {
  table.reset();
  secrets = new MemorySecretStore();
});

const SECRET = 'new-signing-secret-0001';
const pushBank = {
  name: 'Second Bank',
  mode: 'push',
  endpoint: 'https://bank2.example/freezeflow',
  slaSeconds: 3600,
  signingSecret: SECRET,
};

const put = (body: unknown, bankId = 'B002', overrides: Partial<Dependencies> = {}) =>
  invoke(
    createRegisterBank(testDeps({ secrets, ...overrides }).deps),
    httpEvent({
      method: 'PUT',
      path: `/banks/${bankId}`,
      pathParameters: { bankId },
      claims: claims.admin,
      body,
    }),
  );

describe('PUT /banks/{bankId}', () => {
  it('201 on create: the bank and a system audit event in one transaction; the secret is never returned', async () => {
    const answer = await put(pushBank);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      bankId: 'B002',
      name: 'Second Bank',
      mode: 'push',
      endpoint: pushBank.endpoint,
      slaSeconds: 3600,
      secretOnFile: true,
      signingSecretsValid: 1,
      registeredAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    expect(answer.raw.body).not.toContain(SECRET);
    const items = table.transactItems();
    const bankOp = putOfType(items, 'Bank');
    expect(bankOp).toMatchObject({
      Item: {
        ...keys.bank('B002'),
        signingSecretRef: 'memory:B002',
        signingSecretsValid: 1,
        slaSeconds: 3600,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(JSON.stringify(bankOp)).not.toContain(SECRET);
    expect(bankOp.Item).not.toHaveProperty('signingSecrets');
    expect(secrets.values.get('memory:B002')).toEqual([SECRET]);
    const auditOp = putOfType(items, 'AuditIntent');
    expect(auditOp.Item).toMatchObject({
      PK: keys.systemChain,
      SK: expect.stringMatching(/^AUDITQ#/),
      action: 'BANK_REGISTERED',
      actor: 'admin:a1',
    });
    expect(JSON.stringify(auditOp)).not.toContain(SECRET);
    // Chained later by the sequencer (functions/app/sequence-audit.ts): the head is not touched here.
    expect(items.some((op) => op.Update?.Key.SK === '#HEAD')).toBe(false);
  });

  it('200 on update; a new secret is added before the previous one (rotation), neither returned', async () => {
    secrets.values.set('memory:B002', ['old-signing-secret-01']);
    table.put(
      bankItem({
        bankId: 'B002',
        signingSecretRef: 'memory:B002',
        signingSecretsValid: 1,
        updatedAt: '2026-01-02T00:00:00.000Z',
      }),
    );
    const answer = await put(pushBank);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ signingSecretsValid: 2, registeredAt: '2026-01-01T00:00:00.000Z' });
    expect(answer.raw.body).not.toContain(SECRET);
    expect(answer.raw.body).not.toContain('old-signing-secret-01');
    const bankOp = putOfType(table.transactItems(), 'Bank');
    expect(bankOp).toMatchObject({
      Item: { signingSecretRef: 'memory:B002', signingSecretsValid: 2 },
      ConditionExpression: 'updatedAt = :seen',
      ExpressionAttributeValues: { ':seen': '2026-01-02T00:00:00.000Z' },
    });
    expect(JSON.stringify(bankOp)).not.toContain(SECRET);
    expect(JSON.stringify(bankOp)).not.toContain('old-signing-secret-01');
    expect(secrets.values.get('memory:B002')).toEqual([SECRET, 'old-signing-secret-01']);
  });

  it('a third secret drops the oldest: two valid at most', async () => {
    secrets.values.set('memory:B002', ['second-signing-secret', 'first-signing-secret-0']);
    table.put(bankItem({ bankId: 'B002', signingSecretRef: 'memory:B002', signingSecretsValid: 2 }));
    const answer = await put(pushBank);
    expect(answer.body).toMatchObject({ signingSecretsValid: 2 });
    expect(secrets.values.get('memory:B002')).toEqual([SECRET, 'second-signing-secret']);
  });

  it('sending the current secret again rotates nothing', async () => {
    secrets.values.set('memory:B002', [SECRET, 'old-signing-secret-01']);
    table.put(bankItem({ bankId: 'B002', signingSecretRef: 'memory:B002', signingSecretsValid: 2 }));
    const stored = vi.spyOn(secrets, 'putSigningSecrets');
    const answer = await put(pushBank);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ signingSecretsValid: 2 });
    expect(stored).not.toHaveBeenCalled();
    expect(secrets.values.get('memory:B002')).toEqual([SECRET, 'old-signing-secret-01']);
  });

  it('an update without a secret keeps the reference and the secrets', async () => {
    secrets.values.set('memory:B002', ['old-signing-secret-01']);
    table.put(bankItem({ bankId: 'B002', signingSecretRef: 'memory:B002', signingSecretsValid: 1 }));
    const { signingSecret: _omitted, ...withoutSecret } = pushBank;
    const answer = await put({ ...withoutSecret, mode: 'pull', endpoint: undefined });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ mode: 'pull', signingSecretsValid: 1 });
    expect(putOfType(table.transactItems(), 'Bank')).toMatchObject({
      Item: { mode: 'pull', signingSecretRef: 'memory:B002', signingSecretsValid: 1 },
    });
    expect(secrets.values.get('memory:B002')).toEqual(['old-signing-secret-01']);
  });

  it('a push bank with a secret on file may be updated without sending it again', async () => {
    secrets.values.set('memory:B002', ['old-signing-secret-01']);
    table.put(bankItem({ bankId: 'B002', signingSecretRef: 'memory:B002', signingSecretsValid: 1 }));
    const { signingSecret: _omitted, ...withoutSecret } = pushBank;
    const answer = await put({ ...withoutSecret, slaSeconds: 120 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ mode: 'push', slaSeconds: 120, signingSecretsValid: 1 });
    expect(secrets.values.get('memory:B002')).toEqual(['old-signing-secret-01']);
  });

  it('422 signingSecret when a bank without a secret on file turns push without one', async () => {
    table.put(
      bankItem({ bankId: 'B002', mode: 'pull', signingSecretRef: undefined, signingSecretsValid: 0 }),
    );
    const { signingSecret: _omitted, ...withoutSecret } = pushBank;
    const problem = expectProblem(await put(withoutSecret), 422);
    expect(errorPaths(problem)).toEqual(['signingSecret']);
  });

  it('a pull bank needs neither endpoint nor secret', async () => {
    const answer = await put({ name: 'Pull Bank', mode: 'pull', slaSeconds: 604800 });
    expect(answer.status).toBe(201);
    expect(answer.body).not.toHaveProperty('endpoint');
  });

  it('422 for an http endpoint in AWS, even on loopback', async () => {
    const problem = expectProblem(await put({ ...pushBank, endpoint: 'http://127.0.0.1:9000/hook' }), 422);
    expect(errorPaths(problem)).toEqual(['endpoint']);
    expect(table.writes()).toHaveLength(0);
  });

  it('locally, http on 127.0.0.1 is accepted but not on another host', async () => {
    const local = { allowLoopbackHttp: true };
    expect((await put({ ...pushBank, endpoint: 'http://127.0.0.1:9000/hook' }, 'B002', local)).status).toBe(
      201,
    );
    const problem = expectProblem(
      await put({ ...pushBank, endpoint: 'http://10.1.2.3/hook' }, 'B003', local),
      422,
    );
    expect(errorPaths(problem)).toEqual(['endpoint']);
  });

  it('422 names every bad field, unknown fields included', async () => {
    const problem = expectProblem(await put({ name: '', mode: 'push', slaSeconds: 0, colour: 'red' }), 422);
    expect(errorPaths(problem)).toEqual(['colour', 'endpoint', 'name', 'signingSecret', 'slaSeconds']);
    expect(table.writes()).toHaveLength(0);
  });

  it.each([
    ['slaSeconds over a week', { slaSeconds: 604_801 }, 'slaSeconds'],
    ['fractional slaSeconds', { slaSeconds: 1.5 }, 'slaSeconds'],
    ['a 15-character secret', { signingSecret: 'x'.repeat(15) }, 'signingSecret'],
    ['a 257-character secret', { signingSecret: 'x'.repeat(257) }, 'signingSecret'],
    ['an unknown mode', { mode: 'webhook' }, 'mode'],
    ['an endpoint that is not a URL', { endpoint: 'bank.example' }, 'endpoint'],
    ['an ftp endpoint', { endpoint: 'ftp://bank.example/x' }, 'endpoint'],
  ])('422 for %s', async (_, change, path) => {
    const problem = expectProblem(await put({ ...pushBank, ...change }), 422);
    expect(errorPaths(problem)).toEqual([path]);
  });

  it('422 pathParameters.bankId for a bank id outside [A-Za-z0-9._~-]{1,128}', async () => {
    const problem = expectProblem(await put(pushBank, 'B 1'), 422);
    expect(errorPaths(problem)).toEqual(['pathParameters.bankId']);
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('400 for malformed JSON and 413 for a body over 256 KB', async () => {
    expectProblem(await put('{"name":'), 400);
    expectProblem(await put(JSON.stringify({ ...pushBank, name: 'x'.repeat(262_144) })), 413);
    expect(table.writes()).toHaveLength(0);
  });
});
