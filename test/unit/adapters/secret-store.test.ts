import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MemorySecretStore,
  SECRET_CACHE_TTL_MS,
  SECRET_PREFIX_ENV,
  SECRETS_KMS_KEY_ENV,
  SecretsManagerSecretStore,
  secretStoreFromEnvironment,
  signingSecretName,
} from '../../../functions/adapters/secret-store.ts';
import { rotateSecrets } from '../../../functions/app/register-bank.ts';

/**
 * The Secrets Manager adapter against a fake Secrets Manager (aws-sdk-client-mock) that keeps one
 * value per secret name, as the service does: Describe/Get of an absent secret are
 * ResourceNotFoundException, Create of an existing one is ResourceExistsException.
 */
const sm = mockClient(SecretsManagerClient);
const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/0000-1111';
const PREFIX = 'freezeflow/FreezeflowStack';
const meta = { $metadata: {}, message: 'x' };

let stored: Map<string, string>;
let clock = 0;
/** How many of the next GetSecretValue calls are throttled. */
let throttledGets = 0;
/** How many of the next DescribeSecret calls answer "not found" whatever is stored (a race). */
let staleDescribes = 0;

function fakeSecretsManager(): void {
  sm.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => {
    if (staleDescribes > 0) {
      staleDescribes -= 1;
      throw new ResourceNotFoundException(meta);
    }
    if (!stored.has(input.SecretId)) throw new ResourceNotFoundException(meta);
    return { Name: input.SecretId };
  });
  sm.on(CreateSecretCommand).callsFake((input: { Name: string; SecretString: string }) => {
    if (stored.has(input.Name)) throw new ResourceExistsException(meta);
    stored.set(input.Name, input.SecretString);
    return {
      Name: input.Name,
      ARN: `arn:aws:secretsmanager:us-east-1:111111111111:secret:${input.Name}-AbCdEf`,
    };
  });
  sm.on(PutSecretValueCommand).callsFake((input: { SecretId: string; SecretString: string }) => {
    if (!stored.has(input.SecretId)) throw new ResourceNotFoundException(meta);
    stored.set(input.SecretId, input.SecretString);
    return { Name: input.SecretId };
  });
  sm.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
    if (throttledGets > 0) {
      throttledGets -= 1;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    const value = stored.get(input.SecretId);
    if (value === undefined) throw new ResourceNotFoundException(meta);
    return { Name: input.SecretId, SecretString: value };
  });
}

const client = () =>
  new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const store = (options: { kmsKeyId?: string } = {}) =>
  new SecretsManagerSecretStore(client(), PREFIX, { ...options, nowMs: () => clock });

beforeEach(() => {
  sm.reset();
  stored = new Map();
  clock = 1_000_000;
  throttledGets = 0;
  staleDescribes = 0;
  fakeSecretsManager();
});

describe('signingSecretName', () => {
  it('is <prefix>/banks/<bankId>/signing; a trailing slash of the prefix is dropped', () => {
    expect(signingSecretName(PREFIX, 'B001')).toBe('freezeflow/FreezeflowStack/banks/B001/signing');
    expect(signingSecretName(`${PREFIX}/`, 'B001')).toBe('freezeflow/FreezeflowStack/banks/B001/signing');
  });

  it('maps the one bank-id character Secrets Manager refuses (~) to one no bank id has (+)', () => {
    expect(signingSecretName('p', 'a.b_c-d~e')).toBe('p/banks/a.b_c-d+e/signing');
    expect(signingSecretName('p', 'a~b')).not.toBe(signingSecretName('p', 'a_b'));
    expect(signingSecretName('p', 'a~b')).toMatch(/^[A-Za-z0-9/_+=.@-]+$/);
  });
});

describe('SecretsManagerSecretStore', () => {
  it('creates the secret on first put ({"secrets": [...]}, the stack key), then puts new values', async () => {
    const secrets = store({ kmsKeyId: KEY_ARN });
    const name = 'freezeflow/FreezeflowStack/banks/B001/signing';

    expect(await secrets.putSigningSecrets('B001', ['first-secret-0123456'])).toBe(name);
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(1);
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input).toMatchObject({
      Name: name,
      KmsKeyId: KEY_ARN,
      SecretString: '{"secrets":["first-secret-0123456"]}',
    });
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);

    expect(await secrets.putSigningSecrets('B001', ['second-secret-012345', 'first-secret-0123456'])).toBe(
      name,
    );
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(1);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: name,
      SecretString: '{"secrets":["second-secret-012345","first-secret-0123456"]}',
    });
    expect(JSON.parse(stored.get(name)!)).toEqual({
      secrets: ['second-secret-012345', 'first-secret-0123456'],
    });
  });

  it("without a key in the environment the secret gets Secrets Manager's default key", async () => {
    await store().putSigningSecrets('B001', ['first-secret-0123456']);
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input).not.toHaveProperty('KmsKeyId');
  });

  it('a rotation keeps two valid secrets, newest first, and a third drops the oldest', async () => {
    const secrets = store();
    let ref = await secrets.putSigningSecrets('B001', rotateSecrets([], 'secret-A-0123456789'));
    for (const next of ['secret-B-0123456789', 'secret-C-0123456789']) {
      const current = await secrets.getSigningSecrets(ref, { fresh: true });
      ref = await secrets.putSigningSecrets('B001', rotateSecrets(current, next));
    }
    // A fresh store (another process) reads what the last rotation wrote.
    expect(await store().getSigningSecrets(ref)).toEqual(['secret-C-0123456789', 'secret-B-0123456789']);
  });

  it('refuses more than two secrets or an empty one (nothing is written)', async () => {
    await expect(store().putSigningSecrets('B001', ['a-secret', 'b-secret', 'c-secret'])).rejects.toThrow();
    await expect(store().putSigningSecrets('B001', [''])).rejects.toThrow();
    expect(stored.size).toBe(0);
  });

  it('a concurrent create in between: the put writes over it', async () => {
    const name = signingSecretName(PREFIX, 'B001');
    // Describe says absent, but another registration creates it before our CreateSecret.
    staleDescribes = 1;
    stored.set(name, '{"secrets":["theirs-0123456789"]}');
    await store().putSigningSecrets('B001', ['ours-0123456789abc']);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(JSON.parse(stored.get(name)!)).toEqual({ secrets: ['ours-0123456789abc'] });
  });

  it('refuses to write into a secret that is scheduled for deletion', async () => {
    const name = signingSecretName(PREFIX, 'B001');
    stored.set(name, '{"secrets":["old-0123456789abcd"]}');
    sm.on(DescribeSecretCommand).resolves({ Name: name, DeletedDate: new Date() });
    await expect(store().putSigningSecrets('B001', ['new-0123456789abcd'])).rejects.toThrow(/deletion/);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('caches reads: 500 pushes (concurrent or not) to one bank read the secret once', async () => {
    const ref = await store().putSigningSecrets('B001', ['secret-A-0123456789']);
    const secrets = store();
    const concurrent = await Promise.all(Array.from({ length: 250 }, () => secrets.getSigningSecrets(ref)));
    for (let i = 0; i < 250; i++) await secrets.getSigningSecrets(ref);
    expect(new Set(concurrent.map((s) => JSON.stringify(s)))).toEqual(
      new Set([JSON.stringify(['secret-A-0123456789'])]),
    );
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it(`reads again after the TTL (${SECRET_CACHE_TTL_MS / 1000} s): a rotation elsewhere shows by then`, async () => {
    const writer = store();
    const reader = store();
    const ref = await writer.putSigningSecrets('B001', ['secret-A-0123456789']);
    expect(await reader.getSigningSecrets(ref)).toEqual(['secret-A-0123456789']);
    await writer.putSigningSecrets('B001', ['secret-B-0123456789', 'secret-A-0123456789']);
    clock += SECRET_CACHE_TTL_MS - 1;
    // Still within the TTL: the previous set (which the bank still accepts: the old secret stays valid).
    expect(await reader.getSigningSecrets(ref)).toEqual(['secret-A-0123456789']);
    clock += 1;
    expect(await reader.getSigningSecrets(ref)).toEqual(['secret-B-0123456789', 'secret-A-0123456789']);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('a rotation in the same process takes effect at once (the put replaces the cached value)', async () => {
    const secrets = store();
    const ref = await secrets.putSigningSecrets('B001', ['secret-A-0123456789']);
    expect(await secrets.getSigningSecrets(ref)).toEqual(['secret-A-0123456789']);
    await secrets.putSigningSecrets('B001', ['secret-B-0123456789', 'secret-A-0123456789']);
    expect(await secrets.getSigningSecrets(ref)).toEqual(['secret-B-0123456789', 'secret-A-0123456789']);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('fresh reads skip the cache (register-bank reads before it rotates)', async () => {
    const writer = store();
    const reader = store();
    const ref = await writer.putSigningSecrets('B001', ['secret-A-0123456789']);
    await reader.getSigningSecrets(ref);
    await writer.putSigningSecrets('B001', ['secret-B-0123456789', 'secret-A-0123456789']);
    expect(await reader.getSigningSecrets(ref, { fresh: true })).toEqual([
      'secret-B-0123456789',
      'secret-A-0123456789',
    ]);
  });

  it('callers cannot change the cached value through the array it was given', async () => {
    const secrets = store();
    const ref = await secrets.putSigningSecrets('B001', ['secret-A-0123456789']);
    (await secrets.getSigningSecrets(ref)).push('injected');
    expect(await secrets.getSigningSecrets(ref)).toEqual(['secret-A-0123456789']);
  });

  it('a missing secret reads as no secrets, and is not remembered (it may be created any moment)', async () => {
    const secrets = store();
    const ref = signingSecretName(PREFIX, 'B404');
    expect(await secrets.getSigningSecrets(ref)).toEqual([]);
    stored.set(ref, '{"secrets":["created-later-0123"]}');
    expect(await secrets.getSigningSecrets(ref)).toEqual(['created-later-0123']);
  });

  it('other errors propagate and are not cached; a malformed value is refused without echoing it', async () => {
    const secrets = store();
    const ref = signingSecretName(PREFIX, 'B001');
    stored.set(ref, '{"secrets":["good-secret-0123456"]}');
    throttledGets = 1;
    await expect(secrets.getSigningSecrets(ref)).rejects.toThrow('Rate exceeded');
    expect(await secrets.getSigningSecrets(ref)).toEqual(['good-secret-0123456']);

    stored.set('bad', 'not-json-but-a-leaked-secret');
    const error = await store()
      .getSigningSecrets('bad')
      .catch((e: unknown) => e as Error);
    expect(String(error)).toMatch(/is not \{"secrets"/);
    expect(String(error)).not.toContain('leaked-secret');
  });
});

describe('secretStoreFromEnvironment', () => {
  it(`uses ${SECRET_PREFIX_ENV} for names and ${SECRETS_KMS_KEY_ENV} for new secrets`, async () => {
    const secrets = secretStoreFromEnvironment({
      [SECRET_PREFIX_ENV]: PREFIX,
      [SECRETS_KMS_KEY_ENV]: KEY_ARN,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
    });
    expect(secrets).toBeInstanceOf(SecretsManagerSecretStore);
    expect(await secrets.putSigningSecrets('B001', ['first-secret-0123456'])).toBe(
      signingSecretName(PREFIX, 'B001'),
    );
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input.KmsKeyId).toBe(KEY_ARN);
  });

  it(`without ${SECRET_PREFIX_ENV} the store fails when used (a function that never uses it is fine)`, async () => {
    const secrets = secretStoreFromEnvironment({});
    await expect(secrets.getSigningSecrets('x')).rejects.toThrow(SECRET_PREFIX_ENV);
    await expect(secrets.putSigningSecrets('B001', ['s'])).rejects.toThrow(SECRET_PREFIX_ENV);
    expect(sm.calls()).toHaveLength(0);
  });
});

describe('MemorySecretStore (tests)', () => {
  it('keeps the secrets under memory:<bankId>', async () => {
    const secrets = new MemorySecretStore();
    const ref = await secrets.putSigningSecrets('B001', ['secret-A-0123456789']);
    expect(ref).toBe('memory:B001');
    expect(await secrets.getSigningSecrets(ref)).toEqual(['secret-A-0123456789']);
    expect(await secrets.getSigningSecrets('memory:B404')).toEqual([]);
  });
});
