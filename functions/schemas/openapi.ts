import { type ZodType, z } from 'zod';
import { PUSH_TIMEOUT_MS } from '../adapters/bank-connector.ts';
import {
  FIRST_RETRY_SECONDS,
  MAX_RETRY_CAP_SECONDS,
  MIN_RETRY_CAP_SECONDS,
} from '../domain/delivery-schedule.ts';
import { type RuleCode, ruleCodes } from '../domain/rule-codes.ts';
import { DEFAULT_REPLAY_WINDOW_SECONDS } from '../domain/webhook-signature.ts';
import {
  BankInboxQuery,
  CaseAuditAnswer,
  ExtendHoldBody,
  FreezeConfirmationBody,
  OpenCaseBody,
  PeriodQuery,
  pushKinds,
  RedeliverBody,
  RegisterBankBody,
  ReleaseBody,
  ReleaseConfirmationBody,
  SubmitFreezeOrderBody,
  TestDeliveryBody,
} from './api.ts';
import {
  BankPerformanceAnswer,
  BankRegistration,
  CaseAnswer,
  CaseDetailAnswer,
  ConfirmationAnswer,
  HealthAnswer,
  InboxPage,
  InstructionAnswer,
  OrderAnswer,
  pushSchemas,
  RedeliverAnswer,
  RegulatorTotalsAnswer,
  ReleaseAnswer,
  SandboxRecord,
  TestDeliveryAnswer,
  TotalsAnswer,
  TrailAnswer,
} from './responses.ts';
import { type RouteId, routes } from './routes.ts';

/**
 * The OpenAPI 3.1 description of the HTTP API and its webhooks, generated from the route table and
 * the zod schemas (the single source): `npm run openapi` writes openapi.json, a test keeps the
 * committed file equal to what this builds, another holds the running server to it
 * (test/e2e/openapi-conformance.test.ts), and redocly lints it (test/unit/schemas/openapi-lint.test.ts).
 */
interface RouteDoc {
  summary: string;
  /** Every success status with its body. */
  success: Partial<Record<200 | 201 | 202, { description: string; schema: ZodType }>>;
  body?: ZodType | ZodType[];
  query?: ZodType;
  idempotent?: boolean;
  /** The business rules a 409 of this route may name. */
  conflicts?: RuleCode[];
  /** 404 although the route has no scope (an id that may not exist). */
  notFound?: boolean;
}

const idempotencyRules: RuleCode[] = ['IDEMPOTENCY_KEY_REUSED', 'IN_PROGRESS'];
const ok = (schema: ZodType, description = 'success') => ({ 200: { description, schema } });

const docs: Record<RouteId, RouteDoc> = {
  health: {
    summary: 'Ready to take requests: 200 only while the database answers (else 503)',
    success: ok(HealthAnswer, 'ready'),
  },
  registerBank: {
    summary: 'Register or update a bank connector (the secret is never returned)',
    success: {
      201: { description: 'registered', schema: BankRegistration },
      200: { description: 'updated', schema: BankRegistration },
    },
    body: RegisterBankBody,
  },
  getBank: { summary: 'The bank registration (never the secret)', success: ok(BankRegistration) },
  bankTestDelivery: {
    summary: 'Sandbox: one signed push of the given kind, marked "test": true, changing no case',
    success: { 202: { description: 'the push was made (see `delivered`)', schema: TestDeliveryAnswer } },
    body: TestDeliveryBody,
    conflicts: ['NOT_A_PUSH_BANK'],
  },
  getTestDelivery: {
    summary: 'A sandbox push and every confirmation attempt it got (for the conformance runner)',
    success: ok(SandboxRecord),
  },
  bankTestConfirmation: {
    summary:
      'Confirm a sandbox push (its confirmUrl): 503 + Retry-After first, then the answer of a recorded confirmation is lost (503), then a replay gets 200',
    success: ok(ConfirmationAnswer, 'a replay of the recorded confirmation: the first answer'),
    body: [FreezeConfirmationBody, ReleaseConfirmationBody],
    conflicts: ['CONFIRMATION_ID_REUSED', 'INSTRUCTION_NOT_AWAITING_CONFIRMATION'],
  },
  openCase: {
    summary: "Open a case for the caller's agency",
    success: { 201: { description: 'opened', schema: CaseAnswer } },
    body: OpenCaseBody,
    idempotent: true,
    conflicts: idempotencyRules,
  },
  submitFreezeOrder: {
    summary: 'Submit a freeze order: one stop-payment instruction per target account; starts the workflow',
    success: {
      202: { description: 'accepted; the workflow delivers the instructions', schema: OrderAnswer },
    },
    body: SubmitFreezeOrderBody,
    idempotent: true,
    conflicts: ['MAX_HOLDS_PER_ACCOUNT', ...idempotencyRules],
  },
  getCase: {
    summary: 'The case: orders, instructions, releases, escalations, banks not integrated, totals',
    success: ok(CaseDetailAnswer),
  },
  getCaseTotals: {
    summary:
      'Totals of the case per currency (frozen, expired, released, restored) and instructions by status',
    success: ok(TotalsAnswer),
  },
  getCaseTrail: {
    summary: 'The money trail: instructions as nodes, onward transfers as edges (followed or why not)',
    success: ok(TrailAnswer),
  },
  getCaseAudit: {
    summary:
      "The case's hash-chained audit events and whether the chain verifies; `pending`: changes committed after the head was read",
    success: ok(CaseAuditAnswer),
  },
  extendHold: {
    summary: 'Convert or renew a hold with a legal basis: holdUntil = now + holdHours; the bank is told',
    success: ok(InstructionAnswer, 'the instruction with its new holdUntil'),
    body: ExtendHoldBody,
    idempotent: true,
    conflicts: ['HOLD_NOT_ACTIVE', ...idempotencyRules],
  },
  redeliverInstruction: {
    summary:
      'Deliver a PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE instruction again (same delivery id, same deadlineAt/holdUntil)',
    success: { 202: { description: 'the redelivery is recorded', schema: RedeliverAnswer } },
    body: RedeliverBody,
    conflicts: ['INSTRUCTION_NOT_REDELIVERABLE'],
  },
  orderRelease: {
    summary:
      'Release held funds to the victim or to the holder; delivered to the bank as an instruction of its own',
    success: { 202: { description: 'the release instruction is made', schema: ReleaseAnswer } },
    body: ReleaseBody,
    idempotent: true,
    conflicts: ['NOTHING_HELD', 'RELEASE_EXCEEDS_HOLD', ...idempotencyRules],
  },
  bankInbox: {
    summary: "The bank's instructions, oldest first, or what changed since `updatedSince` (the change feed)",
    success: ok(InboxPage),
    query: BankInboxQuery,
  },
  recordConfirmation: {
    summary: "The bank's result for an instruction (a freeze or a release); idempotent by confirmationId",
    success: {
      201: { description: 'recorded', schema: ConfirmationAnswer },
      200: {
        description: 'a replay of the same confirmationId, result, amounts and transfers: the first answer',
        schema: ConfirmationAnswer,
      },
    },
    body: [FreezeConfirmationBody, ReleaseConfirmationBody],
    conflicts: ['CONFIRMATION_ID_REUSED', 'INSTRUCTION_NOT_AWAITING_CONFIRMATION'],
  },
  regulatorTotals: {
    summary: 'Frozen funds confirmed in the period: overall, per bank, per day',
    success: ok(RegulatorTotalsAnswer),
    query: PeriodQuery,
  },
  bankPerformance: {
    summary: 'Per bank: received, confirmed, median/p90 seconds to confirm, overdue, late, held now',
    success: ok(BankPerformanceAnswer),
    query: PeriodQuery,
  },
};

const jsonSchema = (schema: ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const ID_SCHEMA = { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,128}$' };

/** Query parameters as a client sends them (the zod schema parses strings; these say what they mean). */
const queryOverrides: Record<string, Record<string, unknown>> = {
  limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
};

/** Every (route id, status) the OpenAPI file documents: the spec-vs-server test walks this list. */
export function documentedStatuses(): Record<RouteId, number[]> {
  const spec = buildOpenApi() as {
    paths: Record<string, Record<string, { operationId: RouteId; responses: Record<string, unknown> }>>;
  };
  const out = {} as Record<RouteId, number[]>;
  for (const ops of Object.values(spec.paths))
    for (const op of Object.values(ops)) out[op.operationId] = Object.keys(op.responses).map(Number);
  return out;
}

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const doc = docs[route.id];
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const parameters: unknown[] = pathParams.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: ID_SCHEMA,
    }));
    if (doc.query) {
      const q = jsonSchema(doc.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({
          name,
          in: 'query',
          required: q.required?.includes(name) ?? false,
          schema: queryOverrides[name] ?? schema,
        });
      }
    }
    if (doc.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        description: 'the same key and body again return the first answer',
        schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,128}$' },
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, success] of Object.entries(doc.success)) {
      responses[status] = {
        description: success.description,
        content: { 'application/json': { schema: jsonSchema(success.schema, 'output') } },
      };
    }
    if (route.roles.length > 0) {
      responses['401'] = problem('no or invalid token');
      responses['403'] = problem(`roles other than ${route.roles.join(', ')}`);
    }
    if (route.scope !== 'none' || doc.notFound)
      responses['404'] = problem("the id does not exist or is outside the caller's scope");
    if (doc.body) {
      responses['400'] = problem('malformed JSON');
      responses['413'] = problem('body over 256 KB');
    }
    if (doc.body || doc.query || doc.idempotent)
      responses['422'] = problem('invalid fields, each named in errors[]');
    if (doc.conflicts?.length) {
      responses['409'] = problem(
        `conflicts with the current state; \`rule\` is one of ${doc.conflicts.map((r) => `\`${r}\``).join(', ')}`,
      );
    }
    responses['503'] = {
      ...problem('the database does not answer, or too busy now: repeat after Retry-After seconds'),
      headers: { 'Retry-After': { description: 'seconds', schema: { type: 'integer', minimum: 1 } } },
    };
    const bodies = doc.body ? (Array.isArray(doc.body) ? doc.body : [doc.body]) : [];
    paths[route.path] = {
      ...(paths[route.path] ?? {}),
      [route.method.toLowerCase()]: {
        operationId: route.id,
        summary: doc.summary,
        ...(route.roles.length ? { security: [{ bearer: [] }], 'x-roles': route.roles } : { security: [] }),
        ...(parameters.length ? { parameters } : {}),
        ...(bodies.length
          ? {
              requestBody: {
                required: route.id !== 'redeliverInstruction',
                content: {
                  'application/json': {
                    schema:
                      bodies.length === 1
                        ? jsonSchema(bodies[0]!)
                        : { oneOf: bodies.map((b) => jsonSchema(b)) },
                  },
                },
              },
            }
          : {}),
        responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'freezeflow',
      version: '0.1.0',
      description:
        'Police freeze orders to banks, stop-payment confirmations, exact intercepted totals. The contract in words: docs/api.md. 429 and 503 answers carry Retry-After.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm run serve' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              description: 'every invalid field, by dotted path with array indices',
              items: {
                type: 'object',
                required: ['path', 'message'],
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
            rule: {
              type: 'string',
              description: `the business rule that refused the request (409, and 422 where a rule and not a field is broken): ${Object.entries(
                ruleCodes,
              )
                .map(([code, why]) => `\`${code}\`: ${why}`)
                .join('; ')}`,
              enum: Object.keys(ruleCodes),
            },
          },
        },
      },
    },
    paths,
    webhooks: webhooks(),
  };
}

const WEBHOOK_DESCRIPTION = [
  "freezeflow POSTs this to the push bank's registered endpoint.",
  `**Signature.** \`FreezeFlow-Signature: t=<unix seconds>,v1=<hex>\`: each \`v1\` is the lowercase hex HMAC-SHA256, keyed with one of the bank's valid signing secrets, of \`t + "." + <raw body bytes>\`. During a rotation there is one \`v1\` per valid secret (two at most): accept if any matches. Compare in constant time over the raw bytes.`,
  `**Replay window.** Refuse (4xx) a push whose \`t\` is more than ${DEFAULT_REPLAY_WINDOW_SECONDS} s from your clock, and a signature that does not match.`,
  '**De-duplication.** Every attempt of one delivery carries the same `FreezeFlow-Delivery` id and the same body: act once per id, answer 2xx to repeats.',
  `**Timeout.** Answer within ${PUSH_TIMEOUT_MS / 1000} s; a slower answer is a failed attempt.`,
  `**Retries.** Connection errors, timeouts, 401, 408, 429 and 5xx are retried until the instruction's deadlineAt: waits of ${FIRST_RETRY_SECONDS}, 2, 4, 8, 16 s … with equal jitter, capped at ${MIN_RETRY_CAP_SECONDS} s (for long SLAs the window / 500, at most ${MAX_RETRY_CAP_SECONDS} s), never less than your Retry-After. Any other 4xx ends the delivery (DISPATCH_FAILED).`,
  'A sandbox push (`POST /banks/{bankId}/test-deliveries`) has `"test": true` and made-up ids.',
].join('\n\n');

function webhooks(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kind of pushKinds) {
    out[kind.toLowerCase()] = {
      post: {
        operationId: `push${kind.charAt(0)}${kind.slice(1).toLowerCase()}`,
        summary: `${kind} push to a bank's endpoint`,
        description: WEBHOOK_DESCRIPTION,
        security: [],
        parameters: [
          {
            name: 'FreezeFlow-Delivery',
            in: 'header',
            required: true,
            description: 'one id per delivery, the same on every attempt of it',
            schema: { type: 'string' },
          },
          {
            name: 'FreezeFlow-Signature',
            in: 'header',
            required: true,
            description:
              '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`, one v1 per valid secret',
            schema: { type: 'string', pattern: '^t=\\d+(,v1=[0-9a-f]{64})+$' },
          },
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(pushSchemas[kind], 'output') } },
        },
        responses: {
          '200': { description: 'delivered (any 2xx)' },
          '400': {
            description:
              'refused for good: bad signature, stale timestamp, changed body (any 4xx but 401, 408, 429)',
          },
          '401': { description: 'retried: a bank in the middle of a secret rotation' },
          '503': { description: 'retried (also 408, 429 and every 5xx), honouring Retry-After' },
        },
      },
    };
  }
  return out;
}
