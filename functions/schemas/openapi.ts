import { type ZodType, z } from 'zod';
import {
  BankInboxQuery,
  CaseAuditAnswer,
  ExtendHoldBody,
  FreezeConfirmationBody,
  OpenCaseBody,
  PeriodQuery,
  RedeliverBody,
  RegisterBankBody,
  ReleaseBody,
  ReleaseConfirmationBody,
  SubmitFreezeOrderBody,
  TestDeliveryBody,
} from './api.ts';
import { type RouteId, routes } from './routes.ts';

/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the route table and the zod schemas
 * (the single source): `npm run openapi` writes openapi.json, and a test keeps the committed file
 * equal to what this builds.
 */
interface RouteDoc {
  summary: string;
  success: number;
  body?: ZodType | ZodType[];
  query?: ZodType;
  idempotent?: boolean;
  /** Schema of the success body, where one is written down. */
  response?: ZodType;
}

const docs: Record<RouteId, RouteDoc> = {
  health: { summary: 'Ready to take requests: 200 only while the database answers (else 503)', success: 200 },
  registerBank: {
    summary: 'Register or update a bank connector (the secret is never returned)',
    success: 200,
    body: RegisterBankBody,
  },
  openCase: {
    summary: "Open a case for the caller's agency",
    success: 201,
    body: OpenCaseBody,
    idempotent: true,
  },
  submitFreezeOrder: {
    summary: 'Submit a freeze order: one stop-payment instruction per target account; starts the workflow',
    success: 202,
    body: SubmitFreezeOrderBody,
    idempotent: true,
  },
  getCase: {
    summary: 'The case: orders, instructions, releases, escalations, banks not integrated, totals',
    success: 200,
  },
  getCaseTotals: {
    summary:
      'Totals of the case per currency (frozen, expired, released, restored) and instructions by status',
    success: 200,
  },
  getCaseTrail: {
    summary: 'The money trail: instructions as nodes, onward transfers as edges (followed or why not)',
    success: 200,
  },
  getCaseAudit: {
    summary:
      "The case's hash-chained audit events and whether the chain verifies; `pending`: changes committed after the head was read",
    success: 200,
    response: CaseAuditAnswer,
  },
  extendHold: {
    summary: 'Convert or renew a hold with a legal basis: holdUntil = now + holdHours; the bank is told',
    success: 200,
    body: ExtendHoldBody,
    idempotent: true,
  },
  redeliverInstruction: {
    summary:
      'Deliver a PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE instruction again (same delivery id, same deadlineAt/holdUntil)',
    success: 202,
    body: RedeliverBody,
  },
  orderRelease: {
    summary:
      'Release held funds to the victim or to the holder; delivered to the bank as an instruction of its own',
    success: 202,
    body: ReleaseBody,
    idempotent: true,
  },
  getBank: { summary: 'The bank registration (never the secret)', success: 200 },
  bankTestDelivery: {
    summary: 'Sandbox: one signed push of the given kind, marked "test": true, changing no case',
    success: 202,
    body: TestDeliveryBody,
  },
  bankInbox: { summary: "The bank's instructions, oldest first", success: 200, query: BankInboxQuery },
  recordConfirmation: {
    summary: "The bank's result for an instruction (a freeze or a release); idempotent by confirmationId",
    success: 201,
    body: [FreezeConfirmationBody, ReleaseConfirmationBody],
  },
  regulatorTotals: {
    summary: 'Frozen funds confirmed in the period: overall, per bank, per day',
    success: 200,
    query: PeriodQuery,
  },
  bankPerformance: {
    summary: 'Per bank: received, confirmed, median/p90 seconds to confirm, overdue, late, held now',
    success: 200,
    query: PeriodQuery,
  },
};

const jsonSchema = (schema: ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const doc = docs[route.id];
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const parameters: unknown[] = pathParams.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,128}$' },
    }));
    if (doc.query) {
      const q = jsonSchema(doc.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
      }
    }
    if (doc.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,128}$' },
      });
    }
    const responses: Record<string, unknown> = {
      [String(doc.success)]: {
        description: 'success',
        content: { 'application/json': doc.response ? { schema: jsonSchema(doc.response) } : {} },
      },
    };
    if (route.roles.length > 0) {
      responses['401'] = problem('no or invalid token');
      responses['403'] = problem(`roles other than ${route.roles.join(', ')}`);
    }
    if (route.scope !== 'none')
      responses['404'] = problem("the id does not exist or is outside the caller's scope");
    if (doc.body) {
      responses['400'] = problem('malformed JSON');
      responses['413'] = problem('body over 256 KB');
      responses['409'] = problem(
        'conflicts with the current state (or an Idempotency-Key reused with another body)',
      );
    }
    if (doc.body || doc.query || doc.idempotent)
      responses['422'] = problem('invalid fields, each named in errors[]');
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
                required: true,
                content: {
                  'application/json': {
                    schema: bodies.length === 1 ? jsonSchema(bodies[0]!) : { oneOf: bodies.map(jsonSchema) },
                  },
                },
              },
            }
          : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'freezeflow',
      version: '0.1.0',
      description:
        'Police freeze orders to banks, stop-payment confirmations, exact intercepted totals. Contract: docs/api.md.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm run serve' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
