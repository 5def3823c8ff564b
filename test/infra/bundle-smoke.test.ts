/**
 * Issue 12 §5 (a): the bundles really work. Every function is bundled as the CDK bundles it for AWS
 * (test/support/bundles.ts: infra/constructs/functions.ts `bundlingOptions`, minified), loaded in a
 * process of its own with the template's environment (Refs replaced by local values) and nothing
 * else, and one order runs through the bundled handlers: against DynamoDB Local and loopback
 * stand-ins for Step Functions, Secrets Manager and EventBridge (test/support/aws-stand-ins.ts),
 * with a bank on https://127.0.0.1 that checks every push's signature. The workflow is played the
 * way the state machines call their Tasks (workflows/stop-payment-instruction.asl.json).
 * SMOKE_DEBUG=1 prints what each function logged.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, DynamoDBBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionName, STATE_MACHINE_ARN_ENV } from '../../functions/adapters/workflow-client.ts';
import { SIGNATURE_HEADER, verifyWebhook } from '../../functions/domain/webhook-signature.ts';
import { bundlingOptions } from '../../infra/constructs/functions.ts';
import { type FunctionFolder, functionCatalog, functionFolders } from '../../infra/function-catalog.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamo-client-config.ts';
import { type StreamPoller, startStreamPoller } from '../../local/stream-poller.ts';
import { type AwsStandIns, readBody, startAwsStandIns } from '../support/aws-stand-ins.ts';
import { assetBundles, type Bundles, bundleFunctions, toEsbuildOptions } from '../support/bundles.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import { passesFilters } from '../support/event-filter.ts';
import { admin, apiEvent, bank, police } from '../support/http-events.ts';
import { type LambdaProcess, startLambdaProcess } from '../support/lambda-process.ts';
import { type LocalValues, templateEnvironment } from '../support/template-env.ts';
import { type Built, buildStack, type Resource } from './fixture.ts';

const dynamo = useDynamoLocal();
const BANK = 'SMOKE1';
/** A bank whose endpoint refuses every push for good (404): the delivery fails and is escalated. */
const REFUSING_BANK = 'SMOKE2';
const SECRET = 'smoke-signing-secret-0123456789';
const AMOUNT = '123456789012'; // CNY 1,234,567,890.12: above 2^31, exact only as integer minor units
const BUS = 'freezeflow-smoke-bus';
/** The Cognito pre-token-generation trigger: bundled with the same options, outside the catalog. */
const TRIGGER = 'pre-token-generation';
const API_ID = 'smokeapi';
/**
 * Set by `.ci/run` after its `cdk synth`: the smoke test then loads the handlers of that synth's
 * assets instead of bundling them itself (test/support/bundles.ts assetBundles).
 */
const CDK_OUT = process.env.FREEZEFLOW_SMOKE_CDK_OUT;

interface Push {
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  signature: { ok: boolean; reason?: string };
}

let built: Built;
let bundles: Bundles;
let aws: AwsStandIns;
let bankServer: Server;
let bankUrl: string;
let certDir: string;
let table: string;
const pushes: Push[] = [];
const running = new Map<FunctionFolder, LambdaProcess>();
const pollers: StreamPoller[] = [];
/** What the event source mapping stand-ins saw go wrong: partial failures, discarded batches, poll errors. */
const streamTrouble: string[] = [];
const envs = new Map<FunctionFolder, Record<string, string>>();

/** The https bank: a self-signed certificate for 127.0.0.1, trusted by the functions through NODE_EXTRA_CA_CERTS. */
function selfSignedCertificate(dir: string): { key: string; cert: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
  };
}

function localValues(): LocalValues {
  return {
    partition: 'aws',
    region: LOCAL_REGION,
    accountId: '000000000000',
    urlSuffix: 'amazonaws.com',
    refByType: {
      'AWS::DynamoDB::Table': table,
      'AWS::Events::EventBus': BUS,
      'AWS::ApiGatewayV2::Api': API_ID,
    },
    attributeByType: {
      'AWS::KMS::Key.Arn': `arn:aws:kms:${LOCAL_REGION}:000000000000:key/smoke-key`,
      'AWS::DynamoDB::Table.Arn': `arn:aws:dynamodb:${LOCAL_REGION}:000000000000:table/${table}`,
    },
  };
}

function environmentOf(folder: FunctionFolder): Record<string, string> {
  return lambdaEnvironment(folder, built.resources[built.functionId(folder)]!);
}

/** A function resource's template environment, substituted, plus what the Lambda runtime sets. */
function lambdaEnvironment(folder: string, fn: Resource): Record<string, string> {
  return {
    ...templateEnvironment(fn, built.resources, localValues()),
    // What the Lambda runtime sets (nodejs22.x), with fake credentials.
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'smoke-session',
    AWS_LAMBDA_FUNCTION_NAME: `FreezeflowStack-${folder}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.Properties.MemorySize ?? 512),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: dirname(bundles.path(folder)),
    AWS_XRAY_DAEMON_ADDRESS: aws.xrayDaemon,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    // The SDK's service-specific endpoints (@smithy/core getEndpointUrlConfig: AWS_ENDPOINT_URL_<serviceId>).
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SFN: aws.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
    NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

async function fn(folder: FunctionFolder): Promise<LambdaProcess> {
  let process_ = running.get(folder);
  if (!process_) {
    process_ = await startLambdaProcess(folder, bundles.path(folder), envs.get(folder)!);
    running.set(folder, process_);
  }
  return process_;
}

async function http<T = Record<string, unknown>>(folder: FunctionFolder, event: unknown) {
  const answer = await (await fn(folder)).invoke<APIGatewayProxyStructuredResultV2>(event);
  return { status: answer.statusCode ?? 0, body: JSON.parse(answer.body ?? 'null') as T };
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'freezeflow-smoke-'));
  const tls = selfSignedCertificate(certDir);
  bankServer = createServer(tls, async (req, res) => {
    const raw = await readBody(req);
    const header = req.headers[SIGNATURE_HEADER.toLowerCase()];
    const check = verifyWebhook(
      typeof header === 'string' ? header : undefined,
      raw,
      [SECRET],
      Date.now() / 1000,
    );
    pushes.push({
      headers: req.headers,
      body: JSON.parse(raw) as Record<string, unknown>,
      signature: check.ok ? { ok: true } : { ok: false, reason: check.reason },
    });
    res.writeHead(!check.ok ? 401 : req.url?.endsWith('/refuse') ? 404 : 200).end();
  });
  await new Promise<void>((resolve) => bankServer.listen(0, '127.0.0.1', resolve));
  bankUrl = `https://127.0.0.1:${(bankServer.address() as AddressInfo).port}/freezeflow/push`;
  aws = await startAwsStandIns(LOCAL_REGION);
  [built, bundles, table] = await Promise.all([
    Promise.resolve(buildStack()),
    CDK_OUT
      ? assetBundles(CDK_OUT, [...functionFolders, TRIGGER])
      : bundleFunctions([...functionFolders, TRIGGER]),
    dynamo.freshTable(),
  ]);
  for (const folder of functionFolders) envs.set(folder, environmentOf(folder));
  await startEventSourceMappings();
}, 120_000);

/**
 * The template's event source mappings on the table stream, played by local/stream-poller.ts: each
 * with its batch size and starting position, passing only what its FilterCriteria let through to the
 * bundled consumer, whose partial-batch answer (ReportBatchItemFailures) the poller honours.
 */
async function startEventSourceMappings(): Promise<void> {
  const mappings = Object.values(built.resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
  expect(mappings.length).toBeGreaterThan(0);
  for (const mapping of mappings) {
    const target = JSON.stringify(mapping.Properties.FunctionName);
    const folder = functionFolders.find((f) => JSON.stringify({ Ref: built.functionId(f) }) === target);
    if (!folder) throw new Error(`event source mapping for ${target}: no function of the catalog`);
    const filters = mapping.Properties.FilterCriteria?.Filters as { Pattern: string }[] | undefined;
    pollers.push(
      await startStreamPoller({
        tableName: table,
        endpoint: dynamo.endpoint,
        startingPosition: mapping.Properties.StartingPosition,
        batchSize: mapping.Properties.BatchSize,
        maxAttempts: 3,
        retryDelayMs: 50,
        pollIntervalMs: 100,
        logger: {
          warn: (m) => streamTrouble.push(`${folder}: ${m}`),
          error: (m) => streamTrouble.push(`${folder}: ${m}`),
        },
        onDiscarded: (_event, error) => streamTrouble.push(`${folder}: discarded a batch: ${String(error)}`),
        onRecords: async (event) => {
          const records = event.Records.filter((r) => passesFilters(filters, r));
          if (!records.length) return;
          const answer = await (await fn(folder)).invoke<DynamoDBBatchResponse | undefined>({
            Records: records,
          });
          if (answer?.batchItemFailures?.length) {
            streamTrouble.push(`${folder}: batchItemFailures ${JSON.stringify(answer.batchItemFailures)}`);
          }
          return answer;
        },
      }),
    );
  }
}

/** Waits until `check` stops throwing (the stream consumers run asynchronously). */
async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

afterAll(async () => {
  await Promise.allSettled(pollers.map((p) => p.stop()));
  if (process.env.SMOKE_DEBUG) for (const p of running.values()) console.log(`--- ${p.name}\n${p.output()}`);
  await Promise.allSettled([...running.values()].map((p) => p.stop()));
  await aws?.close();
  await new Promise<void>((resolve) => (bankServer ? bankServer.close(() => resolve()) : resolve()));
  bundles?.remove();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('bundle smoke test: the bundled handlers, the template environment, one order', () => {
  it('every bundle loads in a process of its own with only its template environment and exports `handler`', async () => {
    // Two at a time (the machine's two cores); each is stopped again unless the order uses it.
    const folders = [...functionFolders];
    const failures: string[] = [];
    const worker = async () => {
      for (let folder = folders.shift(); folder; folder = folders.shift()) {
        try {
          const p = await startLambdaProcess(folder, bundles.path(folder), envs.get(folder)!);
          if (!p.exportsHandler) failures.push(`${folder}: the bundle exports no handler function`);
          await p.stop();
        } catch (error) {
          failures.push(`${folder}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures).toEqual([]);
  });

  it.runIf(CDK_OUT)(
    'on the assets of `cdk synth`: their synthesized environment is the one this test uses',
    () => {
      const synthesized = (bundles as ReturnType<typeof assetBundles>).environments;
      for (const folder of functionFolders) {
        expect(synthesized.get(folder), folder).toEqual(
          built.resources[built.functionId(folder)]?.Properties.Environment?.Variables,
        );
      }
    },
  );

  let caseId = '';
  let orderId = '';
  let instructionId = '';
  /** The fan-out execution's input, as submit-freeze-order started it. */
  let orderInput: { caseId?: string; orderId?: string; instructionIds?: string[] } = {};

  it('registers a push bank: its signing secret goes to Secrets Manager, under the stack key', async () => {
    const answer = await http('register-bank', {
      ...apiEvent('registerBank', {
        claims: admin(),
        path: { bankId: BANK },
        body: {
          name: 'Smoke Bank',
          mode: 'push',
          endpoint: bankUrl,
          slaSeconds: 3600,
          signingSecret: SECRET,
        },
      }),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).not.toHaveProperty('signingSecret');
    const [name, secret] = [...aws.secrets.entries()][0] ?? [];
    expect(name).toBe(`${envs.get('register-bank')?.FREEZEFLOW_SECRET_PREFIX}/banks/${BANK}/signing`);
    expect(secret?.kmsKeyId).toBe(envs.get('register-bank')?.FREEZEFLOW_SECRETS_KMS_KEY);
    expect(JSON.parse(secret?.secretString ?? '{}')).toEqual({ secrets: [SECRET] });
    const refusing = await http('register-bank', {
      ...apiEvent('registerBank', {
        claims: admin(),
        path: { bankId: REFUSING_BANK },
        body: {
          name: 'Refusing Bank',
          mode: 'push',
          endpoint: bankUrl.replace(/push$/, 'refuse'),
          slaSeconds: 3600,
          signingSecret: SECRET,
        },
      }),
    });
    expect(refusing.status, JSON.stringify(refusing.body)).toBe(201);
    expect(
      aws.requests.filter((r) => r.target.startsWith('secretsmanager.')).map((r) => r.signedFor),
    ).toEqual(expect.arrayContaining(['secretsmanager']));
  });

  it('opens a case and submits a freeze order: the fan-out workflow is started by name', async () => {
    const opened = await http<{ caseId: string }>(
      'open-case',
      apiEvent('openCase', {
        claims: police('PSB-SMOKE'),
        headers: { 'idempotency-key': 'smoke-open' },
        body: {
          reference: 'SMOKE-1',
          reportedLoss: { currency: 'CNY', minor: AMOUNT },
          reportedAt: '2026-11-20T09:40:00Z',
        },
      }),
    );
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    caseId = opened.body.caseId;
    const submitted = await http<{
      orderId: string;
      instructions: { instructionId: string; bankId: string }[];
    }>(
      'submit-freeze-order',
      apiEvent('submitFreezeOrder', {
        claims: police('PSB-SMOKE'),
        path: { caseId },
        headers: { 'idempotency-key': 'smoke-order' },
        body: {
          legalBasis: {
            kind: 'Emergency stop-payment',
            reference: 'SP-SMOKE',
            issuedBy: 'PSB-SMOKE Anti-Fraud Centre',
            issuedAt: '2026-11-20T09:55:00Z',
          },
          targets: [
            { bankId: BANK, accountNumber: '6222020000001111', amount: { currency: 'CNY', minor: AMOUNT } },
          ],
        },
      }),
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBeLessThan(300);
    orderId = submitted.body.orderId;
    instructionId = submitted.body.instructions[0]?.instructionId ?? '';
    expect(submitted.body.instructions).toHaveLength(1);
    const starts = aws.requests.filter((r) => r.target === 'AWSStepFunctions.StartExecution');
    expect(starts).toHaveLength(1);
    expect(starts[0]?.signedFor).toBe('states');
    expect(starts[0]?.body.stateMachineArn).toBe(
      envs.get('submit-freeze-order')?.[STATE_MACHINE_ARN_ENV.freezeOrder],
    );
    expect(starts[0]?.body.name).toBe(executionName(orderId));
    expect(String(starts[0]?.body.name)).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    orderInput = JSON.parse(String(starts[0]?.body.input));
    // The Map state fans out over these (workflows/freeze-order.asl.json).
    expect(orderInput).toMatchObject({ caseId, orderId, instructionIds: [instructionId] });
  });

  it('dispatches the instruction: the bank gets one signed FREEZE with an absolute https confirmUrl', async () => {
    // workflows/stop-payment-instruction.asl.json DispatchInstruction's Payload.
    const step = await (await fn('dispatch-instruction')).invoke<{
      outcome: string;
      awaiting: boolean;
      timeoutSeconds: number;
    }>({
      caseId,
      instructionId,
      kind: 'FREEZE',
    });
    expect(step).toMatchObject({ outcome: 'DELIVERED', awaiting: true });
    expect(pushes).toHaveLength(1);
    const push = pushes[0]!;
    expect(push.signature).toEqual({ ok: true });
    expect(push.body).toMatchObject({ kind: 'FREEZE', instructionId, caseId });
    expect(String(push.body.confirmUrl)).toMatch(
      new RegExp(`^https://${API_ID}\\.execute-api\\.${LOCAL_REGION}\\.amazonaws\\.com/.*${instructionId}`),
    );
    const secretReads = aws.requests.filter((r) => r.target === 'secretsmanager.GetSecretValue');
    expect(secretReads.map((r) => r.signedFor)).toEqual(['secretsmanager']);

    // AwaitConfirmation: the Task's Payload carries the task token and the deadline.
    const registered = await (await fn('register-task-token')).invoke({
      caseId,
      instructionId,
      taskToken: 'smoke-task-token-1',
      timeoutSeconds: step.timeoutSeconds,
    });
    expect(registered).toBeDefined();
  });

  it("the bank's confirmation completes the waiting task, and the totals show the frozen amount exactly", async () => {
    const confirmed = await http(
      'record-confirmation',
      apiEvent('recordConfirmation', {
        claims: bank(BANK),
        path: { bankId: BANK, instructionId },
        body: {
          confirmationId: 'smoke-conf-1',
          result: 'ACTIONED',
          frozen: { currency: 'CNY', minor: AMOUNT },
        },
      }),
    );
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
    const successes = aws.requests.filter((r) => r.target === 'AWSStepFunctions.SendTaskSuccess');
    expect(successes.map((r) => r.body.taskToken)).toEqual(['smoke-task-token-1']);

    const totals = await http<{ frozen: { currency: string; minor: string }[]; reportedLoss: unknown }>(
      'get-case-totals',
      apiEvent('getCaseTotals', { claims: police('PSB-SMOKE'), path: { caseId } }),
    );
    expect(totals.status, JSON.stringify(totals.body)).toBe(200);
    expect(totals.body.frozen).toEqual([{ currency: 'CNY', minor: AMOUNT }]);
    expect(totals.body.reportedLoss).toEqual({ currency: 'CNY', minor: AMOUNT });
  });

  it("the table stream's consumers run as their mappings filter: the freeze starts its hold timer, the audit chain is sequenced", async () => {
    const holdArn = envs.get('follow-the-money')?.[STATE_MACHINE_ARN_ENV.holdTimer];
    await eventually(() => {
      const started = aws.requests.filter(
        (r) => r.target === 'AWSStepFunctions.StartExecution' && r.body.stateMachineArn === holdArn,
      );
      expect(started.map((r) => r.body.name)).toEqual([executionName(`${instructionId}-hold`)]);
    });
    const audit = await eventually(async () => {
      const answer = await http<{
        events: { seq: number; action: string }[];
        verified: boolean;
        pending: number;
      }>('get-case-audit', apiEvent('getCaseAudit', { claims: police('PSB-SMOKE'), path: { caseId } }));
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.pending).toBe(0);
      expect(answer.body.events.length).toBeGreaterThanOrEqual(3);
      return answer.body;
    });
    expect(audit.verified).toBe(true);
    expect(audit.events.map((e) => e.seq)).toEqual(audit.events.map((_, i) => i + 1));
    expect(streamTrouble).toEqual([]);
  });

  it('a bank that refuses for good: the delivery is DISPATCH_FAILED and escalated on the event bus', async () => {
    const submitted = await http<{ instructions: { instructionId: string }[] }>(
      'submit-freeze-order',
      apiEvent('submitFreezeOrder', {
        claims: police('PSB-SMOKE'),
        path: { caseId },
        headers: { 'idempotency-key': 'smoke-order-2' },
        body: {
          legalBasis: {
            kind: 'Emergency stop-payment',
            reference: 'SP-SMOKE-2',
            issuedBy: 'PSB-SMOKE Anti-Fraud Centre',
            issuedAt: '2026-11-20T10:05:00Z',
          },
          targets: [
            {
              bankId: REFUSING_BANK,
              accountNumber: '6222020000002222',
              amount: { currency: 'CNY', minor: '5000' },
            },
          ],
        },
      }),
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBeLessThan(300);
    const refused = submitted.body.instructions[0]?.instructionId ?? '';
    const step = await (await fn('dispatch-instruction')).invoke<{ outcome: string; awaiting: boolean }>({
      caseId,
      instructionId: refused,
      kind: 'FREEZE',
    });
    expect(step.awaiting).toBe(false);
    const put = aws.requests.filter((r) => r.target === 'AWSEvents.PutEvents');
    expect(put).toHaveLength(1);
    expect(put[0]?.signedFor).toBe('events');
    const entries = put[0]?.body.Entries as {
      EventBusName: string;
      Source: string;
      DetailType: string;
      Detail: string;
    }[];
    expect(entries).toEqual([
      expect.objectContaining({
        EventBusName: BUS,
        Source: 'freezeflow',
        DetailType: 'InstructionEscalated',
      }),
    ]);
    expect(JSON.parse(entries[0]?.Detail ?? '{}')).toMatchObject({ caseId, instructionId: refused });
    // The refused push was signed too (the bank checked it before it refused).
    expect(pushes.at(-1)?.signature).toEqual({ ok: true });
  });

  it('active tracing works in the bundles: the SDK calls reach the X-Ray daemon as subsegments', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200)); // datagrams in flight
    const names = new Set(
      aws.segments.flatMap((s) => [
        s.name,
        ...((s.subsegments as { name?: string }[] | undefined) ?? []).map((x) => x.name),
      ]),
    );
    expect(aws.segments.length).toBeGreaterThan(0);
    expect([...names]).toEqual(expect.arrayContaining(['DynamoDB']));
  });

  it("the Cognito trigger's bundle puts the claims into the token that the bundled routes accept", async () => {
    const resource = Object.values(built.resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        String(r.Properties.Description).startsWith(`freezeflow ${TRIGGER} `),
    );
    expect(resource).toBeDefined();
    const trigger = await startLambdaProcess(
      TRIGGER,
      bundles.path(TRIGGER),
      lambdaEnvironment(TRIGGER, resource!),
    );
    try {
      expect(trigger.exportsHandler).toBe(true);
      const out = await trigger.invoke<{
        response: {
          claimsAndScopeOverrideDetails?: {
            accessTokenGeneration?: { claimsToAddOrOverride?: Record<string, string> };
          };
        };
      }>({
        version: '3',
        triggerSource: 'TokenGeneration_HostedAuth',
        userName: 'officer-smoke',
        callerContext: { clientId: 'console' },
        request: {
          userAttributes: { sub: 'officer-smoke', 'custom:agencyId': 'PSB-SMOKE' },
          groupConfiguration: { groupsToOverride: ['police'] },
          scopes: ['openid'],
        },
        response: { claimsAndScopeOverrideDetails: null },
      });
      const claims = out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;
      expect(claims).toEqual({ role: 'police', agencyId: 'PSB-SMOKE' });
      // The API's JWT authorizer passes the access token's claims on: with Cognito's own sub.
      const totals = await http(
        'get-case-totals',
        apiEvent('getCaseTotals', { claims: { sub: 'officer-smoke', ...claims }, path: { caseId } }),
      );
      expect(totals.status, JSON.stringify(totals.body)).toBe(200);
    } finally {
      await trigger.stop();
    }
  });

  it('the fan-out summary and the catalog agree with what ran; nothing called an operation no stand-in knows', async () => {
    // SummarizeOrder's Payload is the execution's state ("Payload.$": "$").
    const summary = await (await fn('summarize-order')).invoke(orderInput);
    expect(summary).toMatchObject({ caseId, orderId, instructionsStarted: 1 });
    expect(aws.unknown().map((r) => r.target)).toEqual([]);
    // Nothing the functions logged is an error (e.g. X-Ray without its segment, an SDK warning).
    for (const p of running.values()) {
      expect(
        p
          .output()
          .split('\n')
          .filter((line) => /\[ERROR\]|"level":"ERROR"|Error:/.test(line)),
        p.name,
      ).toEqual([]);
    }
    // Only the functions the catalog lets start workflows or publish did so.
    for (const folder of running.keys()) {
      const spec = functionCatalog[folder];
      if (!spec.publishesEvents) expect(envs.get(folder), folder).not.toHaveProperty('FREEZEFLOW_EVENT_BUS');
    }
  });
});

describe('bundle smoke test: the faults it exists to catch', () => {
  it('a bundle without the createRequire banner does not load (bundled CommonJS calls require)', async () => {
    const { banner: _banner, ...withoutBanner } = bundlingOptions;
    const broken = await bundleFunctions(['health'], withoutBanner);
    try {
      await expect(startLambdaProcess('health', broken.path('health'), envs.get('health')!)).rejects.toThrow(
        /require/i,
      );
    } finally {
      broken.remove();
    }
  });

  it('a variable the template does not set fails the function (the process inherits nothing)', async () => {
    const { FREEZEFLOW_API_URL: _url, ...env } = envs.get('get-case-totals')!;
    const p = await startLambdaProcess('get-case-totals', bundles.path('get-case-totals'), env);
    try {
      await expect(
        p.invoke(apiEvent('getCaseTotals', { claims: police('PSB-SMOKE'), path: { caseId: 'C1' } })),
      ).rejects.toThrow(/FREEZEFLOW_API_URL must be the API's absolute https:\/\/ URL/);
    } finally {
      await p.stop();
    }
  });

  it('a bundling option the smoke bundles do not translate is refused, not ignored', () => {
    expect(() => toEsbuildOptions({ ...bundlingOptions, keepNames: true })).toThrow(/keepNames/);
    expect(toEsbuildOptions(bundlingOptions)).toMatchObject({
      minify: true,
      format: 'esm',
      platform: 'node',
    });
  });
});
