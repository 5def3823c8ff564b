import { beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PREFIX_ENV, SECRETS_KMS_KEY_ENV } from '../../functions/adapters/secret-store.ts';
import { SIGNING_SECRET_ACTIONS, signingSecretsArn } from '../../infra/constructs/functions.ts';
import { type FunctionFolder, functionCatalog, functionFolders } from '../../infra/function-catalog.ts';
import { type Built, buildStack, ofType, type Statement } from './fixture.ts';

/**
 * Issue §3: the banks' signing secrets live in Secrets Manager under `<prefix>/banks/*`, encrypted
 * with the stack's customer-managed key. Only the functions that push (dispatch-instruction,
 * check-hold, extend-hold) read them; only register-bank writes them.
 */
let built: Built;
beforeAll(() => {
  built = buildStack();
});

const PREFIX = 'freezeflow/FreezeflowStack';
const PUSHERS = [
  'bank-test-delivery', // the sandbox push (signed like every push)
  'check-hold',
  'dispatch-instruction',
  'extend-hold',
  'reconcile',
] as const satisfies FunctionFolder[];
const actions = (s: Statement) => [s.Action].flat();
const secretStatements = (folder: FunctionFolder) =>
  built.statementsOf(folder).filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')));
const secretActions = (folder: FunctionFolder) => secretStatements(folder).flatMap(actions).sort();
const env = (folder: FunctionFolder) =>
  built.resources[built.functionId(folder)]!.Properties.Environment.Variables as Record<string, unknown>;
const keyArn = () => ({ 'Fn::GetAtt': [built.logicalId(built.stack.tables.key), 'Arn'] });
/** The KMS actions a function may use on the stack's key. */
const keyActions = (folder: FunctionFolder) =>
  built
    .statementsOf(folder)
    .filter((s) => JSON.stringify([s.Resource].flat()).includes(JSON.stringify(keyArn())))
    .flatMap(actions)
    .filter((a) => a.startsWith('kms:'));

describe('the function catalog: signing secrets', () => {
  it('read for the functions that push to banks, write for register-bank, none for the rest', () => {
    const level = (l: string) =>
      functionFolders.filter((f) => functionCatalog[f].signingSecrets === l).sort();
    expect(level('read')).toEqual([...PUSHERS]);
    expect(level('write')).toEqual(['register-bank']);
    expect(level('none')).toHaveLength(functionFolders.length - PUSHERS.length - 1);
  });
});

describe('Secrets Manager grants', () => {
  it('the pushers may only GetSecretValue, register-bank Create/Put/Describe/Get, nobody else anything', () => {
    for (const folder of functionFolders) {
      const level = functionCatalog[folder].signingSecrets;
      const expected = level === 'none' ? [] : [...SIGNING_SECRET_ACTIONS[level]].sort();
      expect(secretActions(folder), folder).toEqual(expected);
    }
    expect(secretActions('dispatch-instruction')).toEqual(['secretsmanager:GetSecretValue']);
    expect(secretActions('register-bank')).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
  });

  it('on arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>/banks/* only', () => {
    const pattern = built.stack.resolve(signingSecretsArn(built.stack, PREFIX));
    expect(pattern).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':secretsmanager:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:secret:${PREFIX}/banks/*`,
        ],
      ],
    });
    for (const folder of [...PUSHERS, 'register-bank'] as const) {
      const statements = secretStatements(folder);
      expect(statements, folder).toHaveLength(1);
      expect(statements[0], folder).toMatchObject({ Effect: 'Allow', Resource: pattern });
      expect(JSON.stringify(statements[0]), folder).not.toContain('Condition');
    }
  });

  it('no secret is declared in the template (register-bank creates one per bank at run time)', () => {
    expect(ofType(built.resources, 'AWS::SecretsManager::Secret')).toEqual([]);
  });
});

describe('the stack key encrypts the secrets', () => {
  it('register-bank gets the key ARN in FREEZEFLOW_SECRETS_KMS_KEY; no other function does', () => {
    expect(env('register-bank')[SECRETS_KMS_KEY_ENV]).toEqual(keyArn());
    for (const folder of functionFolders.filter((f) => f !== 'register-bank')) {
      expect(env(folder)[SECRETS_KMS_KEY_ENV], folder).toBeUndefined();
    }
  });

  it('register-bank may encrypt and decrypt with it; the pushers may decrypt', () => {
    expect(keyActions('register-bank')).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*']),
    );
    for (const folder of PUSHERS) expect(keyActions(folder), folder).toContain('kms:Decrypt');
  });

  it('summarize-order (no table, no secrets) still gets no KMS access at all', () => {
    expect(keyActions('summarize-order')).toEqual([]);
  });

  it('health (reads the table to probe it) may only decrypt', () => {
    expect(keyActions('health')).toContain('kms:Decrypt');
    expect(keyActions('health').filter((a) => !/^kms:(Decrypt|DescribeKey)$/.test(a))).toEqual([]);
  });
});

describe('FREEZEFLOW_SECRET_PREFIX', () => {
  it(`every function gets ${PREFIX} (the stack name)`, () => {
    for (const folder of functionFolders) expect(env(folder)[SECRET_PREFIX_ENV], folder).toBe(PREFIX);
  });

  it('can be set per stack', () => {
    const other = buildStack(undefined, { signingSecretPrefix: 'bank-secrets/prod' });
    const fn = other.resources[other.functionId('dispatch-instruction')]!.Properties;
    expect(fn.Environment.Variables[SECRET_PREFIX_ENV]).toBe('bank-secrets/prod');
    expect(JSON.stringify(other.statementsOf('dispatch-instruction'))).toContain(
      ':secret:bank-secrets/prod/banks/*',
    );
  });
});
