import type { WorkflowName } from '../functions/adapters/workflow-client.ts';
import type { routes } from '../functions/schemas/routes.ts';
import type { StreamConsumer } from '../functions/schemas/stream-consumers.ts';
import type { workflowFunctions } from '../workflows/definitions.ts';

type RouteHandler = (typeof routes)[number]['handler'];
type WorkflowHandler = (typeof workflowFunctions)[keyof typeof workflowFunctions]['handler'];

/**
 * Every Lambda function of the stack, by its folder under functions/. The type makes the catalog
 * complete: a new route or workflow function in the shared definitions fails to compile here until
 * it says which grants it needs.
 */
export type FunctionFolder =
  | RouteHandler
  | WorkflowHandler
  | 'follow-the-money'
  | 'sequence-audit'
  | 'reconcile';

/** Every function's memory unless its spec says otherwise (also what the cost model prices GB-s with). */
export const DEFAULT_MEMORY_MB = 512;
/** Every function's instruction set architecture (Graviton; priced per GB-s at the arm64 rate). */
export const LAMBDA_ARCHITECTURE: 'arm64' | 'x86_64' = 'arm64';

export interface FunctionSpec {
  /** What invokes it: an HTTP API route, a Step Functions Task, the table's stream, a schedule. */
  trigger: 'http' | 'workflow' | 'tableStream' | 'schedule';
  /** DynamoDB access: `read` = grantReadData, `readWrite` = grantReadWriteData (KMS grants included). */
  table: 'none' | 'read' | 'readWrite';
  /** states:StartExecution on these state machines. */
  startExecution: readonly WorkflowName[];
  /** states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat on these state machines. */
  taskResponse: readonly WorkflowName[];
  /** events:PutEvents on the stack's event bus, and its name in FREEZEFLOW_EVENT_BUS. */
  publishesEvents: boolean;
  /**
   * Banks' webhook signing secrets in Secrets Manager (`<prefix>/banks/*`, adapters/secret-store.ts):
   * `read` = GetSecretValue + kms:Decrypt (the functions that push to banks), `write` = also
   * Create/Put/DescribeSecret + encrypt with the stack key (register-bank, which rotates them).
   */
  signingSecrets: 'none' | 'read' | 'write';
  /** Configured memory (MB): Lambda bills duration × memory. */
  memoryMb: number;
  /** For a table stream consumer: which records its event source mapping passes (schemas/stream-consumers.ts). */
  streamConsumer?: StreamConsumer;
  /** Why it needs what it gets (read by reviewers, not by code). */
  why: string;
}

const spec = (
  trigger: FunctionSpec['trigger'],
  table: FunctionSpec['table'],
  why: string,
  extra: Partial<
    Pick<
      FunctionSpec,
      'startExecution' | 'taskResponse' | 'publishesEvents' | 'signingSecrets' | 'memoryMb' | 'streamConsumer'
    >
  > = {},
): FunctionSpec => ({
  trigger,
  table,
  startExecution: [],
  taskResponse: [],
  publishesEvents: false,
  signingSecrets: 'none',
  memoryMb: DEFAULT_MEMORY_MB,
  why,
  ...extra,
});

export const functionCatalog: Record<FunctionFolder, FunctionSpec> = {
  // HTTP routes (functions/schemas/routes.ts)
  health: spec('http', 'read', 'one GetItem probe: 200 only while the database answers, else 503'),
  'register-bank': spec(
    'http',
    'readWrite',
    'writes the bank directory entry and a system audit event; stores and rotates the signing secrets',
    { signingSecrets: 'write' },
  ),
  'open-case': spec('http', 'readWrite', 'writes the case, its audit event and the idempotency record'),
  'submit-freeze-order': spec(
    'http',
    'readWrite',
    'writes the order and its instructions in one transaction, then starts the fan-out workflow',
    { startExecution: ['freezeOrder'] },
  ),
  'get-case': spec('http', 'read', 'reads one case partition (Query)'),
  'get-case-totals': spec('http', 'read', 'reads the case totals item (GetItem)'),
  'get-case-trail': spec('http', 'read', 'reads one case partition (Query): instructions and trail edges'),
  'get-case-audit': spec('http', 'read', "reads the case's audit events and chain head (Query)"),
  'extend-hold': spec(
    'http',
    'readWrite',
    'extends a hold (instruction, idempotency, audit); pushes EXTEND (signed: reads the bank secrets); a shortened hold starts its own timer',
    { signingSecrets: 'read', startExecution: ['holdTimer'] },
  ),
  'redeliver-instruction': spec(
    'http',
    'readWrite',
    'records the redelivery request on the instruction (+ audit), then starts its delivery workflow',
    { startExecution: ['stopPaymentInstruction'] },
  ),
  'order-release': spec(
    'http',
    'readWrite',
    'reserves the amount on the hold and writes the release instruction, then starts its workflow',
    { startExecution: ['stopPaymentInstruction'] },
  ),
  'bank-performance': spec('http', 'read', 'reads the per-day bank aggregates and the banks held amounts'),
  'bank-inbox': spec('http', 'read', "queries the bank's inbox GSIs"),
  'get-bank': spec('http', 'read', 'reads the bank directory entry (GetItem); never the secrets'),
  'bank-test-delivery': spec(
    'http',
    'readWrite',
    'reads the bank entry and its signing secrets, writes the sandbox record (no case) and makes one signed sandbox push',
    { signingSecrets: 'read' },
  ),
  'get-test-delivery': spec('http', 'read', 'reads one sandbox record (GetItem)'),
  'bank-test-confirmation': spec(
    'http',
    'readWrite',
    "records a confirmation attempt on the sandbox record (no case) and answers the sandbox's script",
  ),
  'record-confirmation': spec(
    'http',
    'readWrite',
    'one transaction (confirmation, instruction, totals, audit), then completes the waiting task',
    { taskResponse: ['stopPaymentInstruction'] },
  ),
  'regulator-totals': spec('http', 'read', 'reads the per-day totals items'),

  // Step Functions tasks (workflows/definitions.ts)
  'dispatch-instruction': spec(
    'workflow',
    'readWrite',
    'reads the bank entry and its signing secrets, pushes, records DISPATCHED or the next attempt; a delivery that fails for good is DISPATCH_FAILED and escalated (publishes InstructionEscalated)',
    { signingSecrets: 'read', publishesEvents: true },
  ),
  'register-task-token': spec(
    'workflow',
    'readWrite',
    'stores the task token; completes the task at once if the bank already confirmed',
    { taskResponse: ['stopPaymentInstruction'] },
  ),
  'record-overdue': spec('workflow', 'readWrite', 'marks the instruction OVERDUE (+ totals, audit)'),
  'escalate-instruction': spec(
    'workflow',
    'readWrite',
    'sets escalatedAt and appends the audit event, then publishes InstructionEscalated on the bus',
    { publishesEvents: true },
  ),
  'record-dispatch-failed': spec(
    'workflow',
    'readWrite',
    'marks the instruction DISPATCH_FAILED (+ totals, audit) and escalates it (publishes InstructionEscalated)',
    { publishesEvents: true },
  ),
  'summarize-order': spec('workflow', 'none', 'returns the fan-out summary as the execution output'),
  'check-hold': spec(
    'workflow',
    'readWrite',
    'expires a lapsed hold (+ totals, audit) and pushes EXPIRED to the bank; reads the bank entry and secrets',
    { signingSecrets: 'read' },
  ),

  // Table stream consumer: follow the money from every recorded confirmation (docs/design.md §1)
  'follow-the-money': spec(
    'tableStream',
    'readWrite',
    'writes follow-on instructions and trail edges, then starts their fan-out workflow and hold timers',
    { startExecution: ['freezeOrder', 'holdTimer'], streamConsumer: 'followTheMoney' },
  ),
  // Table stream consumer: appends every change's audit entries to its case's chain, in order
  'sequence-audit': spec(
    'tableStream',
    'readWrite',
    'chains the audit entries each change committed (puts events, deletes the entries, moves the head)',
    { streamConsumer: 'sequenceAudit' },
  ),

  // The reconciler (docs/design.md §1): an EventBridge Scheduler schedule invokes it every few minutes
  reconcile: spec(
    'schedule',
    'readWrite',
    'queries the sparse due index and carries each due instruction on (deliver, OVERDUE, reminder, escalation, expiry, notices, follow-ons): pushes to banks, starts workflows, publishes escalations',
    { signingSecrets: 'read', startExecution: ['freezeOrder', 'holdTimer'], publishesEvents: true },
  ),
};

export const functionFolders = Object.keys(functionCatalog) as FunctionFolder[];
