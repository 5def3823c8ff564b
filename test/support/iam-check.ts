/**
 * The code-to-IAM check (issue 12 §5 (c)): the AWS operations a function's code can send must be
 * allowed by its role. Plain functions on data (bundle text, source files, policy statements), so a
 * test can feed them a modified policy or an extra call and watch the check fail.
 *
 * Where the calls come from, two views that must agree:
 * - the minified bundle (test/support/bundles.ts): SDK v3 keeps each command's service and operation
 *   as strings (`makeBuilder(params, "AWSStepFunctions", "SFNClient", …)` once per client, then
 *   `class extends command(ep, mw, "StartExecution", schema)` per command), so the bundle names every
 *   operation that ships. That is an upper bound: every handler builds all its adapters
 *   (functions/adapters/dependencies.ts `awsDependencies`), so every bundle carries StartExecution,
 *   CreateSecret and PutEvents, and IAM alone decides who may send them;
 * - the first-party source of the same import graph (test/support/code-graph.ts `importGraph`), typed
 *   by the TypeScript checker: each `new XCommand(` that the handler reaches through its calls, ports
 *   included (functions/app calls `deps.workflow.startExecution(`, an interface member, which reaches
 *   StepFunctionsWorkflowClient.startExecution, which sends StartExecutionCommand).
 * A function calls an operation when its code reaches a send site; the bundle must ship that command
 * (a reached send site whose command the bundle lacks is an analysis error, reported as such).
 * Whatever ships unreached is listed apart (`shippedUnsent`).
 */
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../infra/paths.ts';

export interface Operation {
  /** The SDK client, as the bundle names it: `DynamoDBClient`, `SFNClient`, … */
  client: string;
  /** The API operation: `GetItem`, `StartExecution`, … */
  operation: string;
}

/** IAM service prefix of each SDK client the bundles may contain. An unknown client fails the check. */
export const IAM_PREFIX: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  DynamoDBStreamsClient: 'dynamodb',
  SFNClient: 'states',
  SecretsManagerClient: 'secretsmanager',
  EventBridgeClient: 'events',
  KMSClient: 'kms',
  LambdaClient: 'lambda',
  STSClient: 'sts',
  SSOClient: 'sso',
  SSOOIDCClient: 'sso-oauth',
  SigninClient: 'signin',
  CognitoIdentityClient: 'cognito-identity',
};

/**
 * Clients that ship in every bundle but never send in Lambda: the default credential provider chain
 * (@aws-sdk/credential-provider-node) carries SSO, SSO-OIDC, STS and Signin clients for profiles and
 * web identity; in Lambda the credentials come from the environment (AWS_ACCESS_KEY_ID/…) first.
 */
export const CREDENTIAL_PROVIDER_CLIENTS = new Set([
  'STSClient',
  'SSOClient',
  'SSOOIDCClient',
  'SigninClient',
  'CognitoIdentityClient',
]);

/** The SDK's npm packages, and the client their commands are sent with. */
const PACKAGE_CLIENT: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/lib-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-dynamodb-streams': 'DynamoDBStreamsClient',
  '@aws-sdk/client-sfn': 'SFNClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-kms': 'KMSClient',
  '@aws-sdk/client-lambda': 'LambdaClient',
};

/** lib-dynamodb's document commands and the DynamoDB operation each one sends. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
  ExecuteStatementCommand: 'ExecuteStatement',
  BatchExecuteStatementCommand: 'BatchExecuteStatement',
  ExecuteTransactionCommand: 'ExecuteTransaction',
};

export const iamAction = (op: Operation): string => {
  const prefix = IAM_PREFIX[op.client];
  if (!prefix) throw new Error(`no IAM prefix known for SDK client ${op.client} (test/support/iam-check.ts)`);
  return `${prefix}:${op.operation}`;
};

const key = (op: Operation) => `${op.client}:${op.operation}`;

// ---------------------------------------------------------------------------------------------
// The bundle view

const ident = '[A-Za-z_$][\\w$]*';

/** Every SDK command a minified bundle ships, with its client (see the header for the shapes). */
export function bundleOperations(text: string): Operation[] {
  const builders = new Map<string, string>();
  const builder = new RegExp(`(${ident})=${ident}\\(${ident},"[\\w.-]+","(\\w+Client)",${ident}\\)`, 'g');
  for (const m of text.matchAll(builder)) builders.set(m[1]!, m[2]!);
  const out = new Map<string, Operation>();
  const command = new RegExp(`extends (${ident})\\(${ident},${ident},"(\\w+)",${ident}\\)`, 'g');
  for (const m of text.matchAll(command)) {
    const client = builders.get(m[1]!);
    if (!client)
      throw new Error(`bundle: command ${m[2]} built by ${m[1]}, which is no known SDK client builder`);
    const op = { client, operation: m[2]! };
    out.set(key(op), op);
  }
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------
// The source view

export interface SendSite {
  op: Operation;
  file: string;
  /** The method or function around the `new XCommand(`. */
  container: string;
  /** A transaction's item (`{ Put: … }`): authorized by its own action, sent inside TransactWriteItems. */
  transactionItem?: true;
}

/** The item kinds of TransactWriteItems and the IAM action that authorizes each. */
const TRANSACTION_ITEMS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/**
 * The first-party code typed once (the TypeScript checker resolves every call to its declaration).
 * `overrides` replaces files' text, so a test can add a call without touching the repository.
 */
export interface CodeIndex {
  program: ts.Program;
  checker: ts.TypeChecker;
}

export function codeIndex(files: readonly string[], overrides: Record<string, string> = {}): CodeIndex {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    resolveJsonModule: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options, true);
  const byPath = new Map(Object.entries(overrides).map(([f, text]) => [join(repoRoot, f), text]));
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => byPath.get(name) ?? readFile(name);
  host.getSourceFile = (name, language, onError, fresh) => {
    const text = byPath.get(name);
    return text === undefined
      ? getSourceFile(name, language, onError, fresh)
      : ts.createSourceFile(name, text, language, true);
  };
  const program = ts.createProgram({
    rootNames: files.map((f) => join(repoRoot, f)),
    options,
    host,
  });
  return { program, checker: program.getTypeChecker() };
}

const relative = (file: string) => file.slice(repoRoot.length).replace(/^\/+/, '');
const firstParty = (file: string) =>
  relative(file).startsWith('functions/') && !file.includes('node_modules');

/** The npm package of a declaration file under node_modules (`@aws-sdk/client-sfn`), if any. */
function packageOf(fileName: string): string | undefined {
  return /node_modules\/(@aws-sdk\/[\w-]+)\//.exec(fileName)?.[1];
}

function resolve(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  const symbol = checker.getSymbolAtLocation(node);
  if (!symbol) return undefined;
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name))
    return node.parent.name.text;
  return '<anonymous>';
}

/**
 * The send sites a handler's code reaches: starting from its functions/<folder>/handler.ts and what
 * every module of its graph runs when imported, each call, `new` and reference is resolved to its
 * declaration, and a first-party declaration's body is walked in turn (so this is a call graph; the
 * bundle, tree-shaken by esbuild per statement, ships at least what it reaches).
 * A call through a port (an interface member: `deps.workflow.startExecution`) reaches the member of
 * every class that implements that interface. An SDK command's `new` is a send site.
 */
export function reachedSendSites(index: CodeIndex, graph: readonly string[]): SendSite[] {
  return reach(index, graph).sites;
}

/** A `workflow.startExecution(name, …)` the handler reaches, with the workflow names its argument can be. */
export interface WorkflowStart {
  workflows: string[];
  file: string;
  container: string;
}

/**
 * The state machines the handler's code starts: every reached call of the WorkflowClient port's
 * `startExecution` (functions/adapters/workflow-client.ts), its first argument's type giving the
 * names (a literal: that one; a WorkflowName variable: all of them).
 */
export function reachedWorkflowStarts(index: CodeIndex, graph: readonly string[]): WorkflowStart[] {
  return reach(index, graph).starts;
}

function reach(index: CodeIndex, graph: readonly string[]): { sites: SendSite[]; starts: WorkflowStart[] } {
  const { program, checker } = index;
  const starts: WorkflowStart[] = [];
  const implementations = new Map<ts.Symbol, ts.ClassDeclaration[]>();
  for (const sf of program.getSourceFiles()) {
    if (!firstParty(sf.fileName)) continue;
    sf.forEachChild(function find(node) {
      if (ts.isClassDeclaration(node)) {
        for (const clause of node.heritageClauses ?? []) {
          for (const type of clause.types) {
            const symbol = resolve(checker, type.expression);
            if (symbol) implementations.set(symbol, [...(implementations.get(symbol) ?? []), node]);
          }
        }
      }
      node.forEachChild(find);
    });
  }
  const visited = new Set<ts.Node>();
  const sites: SendSite[] = [];
  const queue: { node: ts.Node; container: string }[] = [];
  for (const file of graph) {
    const sf = program.getSourceFile(join(repoRoot, file));
    if (!sf) throw new Error(`${file} is not in the typed program`);
    if (/^functions\/[\w-]+\/handler\.ts$/.test(file)) {
      queue.push({ node: sf, container: '<handler>' });
      continue;
    }
    // What runs when the module is imported: its statements and top-level initializers, not the
    // bodies of the functions it declares (those are reached when something calls them).
    for (const statement of sf.statements) {
      if (ts.isExpressionStatement(statement)) queue.push({ node: statement, container: '<module>' });
      if (ts.isVariableStatement(statement)) {
        for (const d of statement.declarationList.declarations) {
          const init = d.initializer;
          if (
            init &&
            !ts.isArrowFunction(init) &&
            !ts.isFunctionExpression(init) &&
            !ts.isClassExpression(init)
          ) {
            visited.add(d);
            queue.push({ node: init, container: nameOf(init) });
          }
        }
      }
    }
  }
  const reach = (decl: ts.Declaration) => {
    const sf = decl.getSourceFile();
    if (!firstParty(sf.fileName) || visited.has(decl)) return;
    visited.add(decl);
    if (ts.isClassDeclaration(decl)) {
      // Constructing or naming a class runs its constructor and field initializers, not its
      // methods: those are reached one by one, when called.
      for (const member of decl.members) {
        if (!ts.isMethodDeclaration(member) && !ts.isGetAccessor(member) && !ts.isSetAccessor(member)) {
          queue.push({ node: member, container: `${nameOf(decl)}.${nameOf(member)}` });
        }
      }
      for (const clause of decl.heritageClauses ?? []) queue.push({ node: clause, container: nameOf(decl) });
      return;
    }
    queue.push({ node: decl, container: nameOf(decl) });
  };
  const reachSymbol = (symbol: ts.Symbol) => {
    for (const decl of symbol.declarations ?? []) {
      const parent = decl.parent;
      if ((ts.isMethodSignature(decl) || ts.isPropertySignature(decl)) && ts.isInterfaceDeclaration(parent)) {
        const iface = checker.getSymbolAtLocation(parent.name);
        for (const cls of (iface && implementations.get(iface)) ?? []) {
          for (const member of cls.members) {
            if (member.name && ts.isIdentifier(member.name) && member.name.text === symbol.name)
              reach(member);
          }
        }
      } else if (
        ts.isFunctionDeclaration(decl) ||
        ts.isMethodDeclaration(decl) ||
        ts.isVariableDeclaration(decl) ||
        ts.isPropertyDeclaration(decl) ||
        ts.isClassDeclaration(decl) ||
        ts.isPropertyAssignment(decl) ||
        ts.isShorthandPropertyAssignment(decl)
      ) {
        reach(decl);
      }
    }
  };
  while (queue.length) {
    const { node: root, container } = queue.pop()!;
    const file = relative(root.getSourceFile().fileName);
    const walk = (node: ts.Node): void => {
      if (ts.isNewExpression(node)) {
        const symbol = resolve(checker, node.expression);
        const decl = symbol?.declarations?.[0];
        const pkg = decl && packageOf(decl.getSourceFile().fileName);
        const client = pkg && PACKAGE_CLIENT[pkg];
        if (symbol && client && symbol.name.endsWith('Command')) {
          const operation =
            pkg === '@aws-sdk/lib-dynamodb'
              ? DOCUMENT_COMMANDS[symbol.name]
              : symbol.name.replace(/Command$/, '');
          if (!operation)
            throw new Error(`unknown lib-dynamodb command ${symbol.name} (test/support/iam-check.ts)`);
          sites.push({ op: { client, operation }, file, container });
        }
      }
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'startExecution'
      ) {
        const decl = resolve(checker, node.expression.name)?.declarations?.[0];
        const owner = decl?.parent;
        const port =
          decl &&
          owner &&
          (ts.isInterfaceDeclaration(owner) || ts.isClassDeclaration(owner)) &&
          relative(decl.getSourceFile().fileName) === 'functions/adapters/workflow-client.ts';
        const first = node.arguments[0];
        if (port && first) {
          const type = checker.getTypeAtLocation(first);
          const parts = type.isUnion() ? type.types : [type];
          const workflows = parts.map((t) =>
            t.isStringLiteral() ? t.value : `<${checker.typeToString(t)}>`,
          );
          starts.push({ workflows, file, container });
        }
      }
      if (
        ts.isPropertyAssignment(node) &&
        ts.isIdentifier(node.name) &&
        TRANSACTION_ITEMS[node.name.text] &&
        file.startsWith('functions/adapters/dynamo/')
      ) {
        const operation = TRANSACTION_ITEMS[node.name.text]!;
        sites.push({ op: { client: 'DynamoDBClient', operation }, file, container, transactionItem: true });
      }
      if (ts.isIdentifier(node) && !(ts.isImportSpecifier(node.parent) || ts.isImportClause(node.parent))) {
        const symbol = resolve(checker, node);
        if (symbol) reachSymbol(symbol);
      }
      node.forEachChild(walk);
    };
    walk(root);
  }
  return { sites, starts };
}

// ---------------------------------------------------------------------------------------------
// The role view

export interface PolicyStatement {
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** The actions (patterns, e.g. `dynamodb:Get*`) that the role's Allow statements name. */
export function allowedPatterns(statements: readonly PolicyStatement[]): string[] {
  for (const s of statements) {
    if (s.NotAction !== undefined) throw new Error('NotAction statements are not supported by the check');
  }
  return statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action));
}

/** IAM action matching: case-insensitive, `*` any run, `?` one character. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    'i',
  );
  return re.test(action);
}

/**
 * DynamoDB has no IAM action for a transaction: each item is authorized by its own action. The items
 * are the `{ Put | Update | Delete | ConditionCheck: … }` literals of the reached functions/adapters/dynamo
 * code (reachedSendSites); when none is found, a transaction needs every kind it could hold.
 */
export const AUTHORIZED_AS: Record<string, string[]> = {
  'dynamodb:TransactWriteItems': [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
  'dynamodb:TransactGetItems': ['dynamodb:GetItem'],
};

/** Actions the Lambda service or the SDK's services perform with the role, not the code's own calls. */
export interface ImpliedAction {
  action: string;
  why: string;
}

/**
 * KMS calls that Secrets Manager makes with the caller's permissions: the banks' signing secrets are
 * encrypted with the stack's customer-managed key (infra/constructs/functions.ts), so reading one
 * needs kms:Decrypt and writing one kms:GenerateDataKey (+ Decrypt) on that key.
 */
export const IMPLIED: Record<string, ImpliedAction[]> = {
  'secretsmanager:GetSecretValue': [{ action: 'kms:Decrypt', why: 'the secret is under the stack key' }],
  'secretsmanager:CreateSecret': [
    { action: 'kms:GenerateDataKey', why: 'the new secret is encrypted with the stack key' },
    { action: 'kms:Decrypt', why: 'Secrets Manager checks the data key it generated' },
  ],
  'secretsmanager:PutSecretValue': [
    { action: 'kms:GenerateDataKey', why: 'the new version is encrypted with the stack key' },
    { action: 'kms:Decrypt', why: 'Secrets Manager checks the data key it generated' },
  ],
};

/**
 * Allowed actions that serve the platform, not the code (left out of the least-privilege hints):
 * the Lambda service writes the logs and traces with the role, and a table stream's event source
 * mapping reads the stream and sends failed batches to the dead-letter queue with the role too.
 */
export const PLATFORM_ACTIONS: Record<string, string> = {
  'logs:CreateLogStream': 'Lambda writes the function logs',
  'logs:PutLogEvents': 'Lambda writes the function logs',
  'xray:PutTraceSegments': 'active tracing',
  'xray:PutTelemetryRecords': 'active tracing',
  'dynamodb:DescribeStream': 'the event source mapping reads the table stream',
  'dynamodb:GetRecords': 'the event source mapping reads the table stream',
  'dynamodb:GetShardIterator': 'the event source mapping reads the table stream',
  'dynamodb:ListStreams': 'the event source mapping reads the table stream',
  'sqs:SendMessage': "the event source mapping's on-failure destination",
  'sqs:GetQueueAttributes': "the event source mapping's on-failure destination",
  'sqs:GetQueueUrl': "the event source mapping's on-failure destination",
};

/**
 * What a table stream consumer's event source mapping does with the role besides PLATFORM_ACTIONS:
 * the table's stream and the dead-letter queue are encrypted with the stack key (infra/constructs).
 */
export const STREAM_CONSUMER_PLATFORM_ACTIONS: Record<string, string> = {
  ...PLATFORM_ACTIONS,
  'kms:Decrypt': 'the event source mapping reads the stream of the KMS-encrypted table',
  'kms:GenerateDataKey': 'the on-failure destination is a KMS-encrypted queue',
};

// ---------------------------------------------------------------------------------------------
// The check

export interface Call {
  action: string;
  /** Where the code sends it (file#container), or what implies it. */
  from: string;
}

export interface FunctionCalls {
  calls: Call[];
  /** Shipped in the bundle but never sent by the function's code (SDK baggage, unreached adapters). */
  shippedUnsent: string[];
  /** Reached send sites whose command is not in the bundle: the analysis is wrong somewhere. */
  errors: string[];
}

/** The IAM actions one function calls, from its bundle text and its first-party import graph. */
export function functionCalls(bundleText: string, index: CodeIndex, graph: readonly string[]): FunctionCalls {
  const shipped = bundleOperations(bundleText);
  const shippedKeys = new Set(shipped.map(key));
  const errors: string[] = [];
  const calls = new Map<string, Call>();
  const sites = reachedSendSites(index, graph);
  const sent = new Set<string>();
  const items = sites.some((s) => s.transactionItem);
  for (const site of sites) {
    if (!site.transactionItem && !shippedKeys.has(key(site.op))) {
      const error = `${site.file}#${site.container} sends ${key(site.op)}, which the bundle does not ship`;
      if (!errors.includes(error)) errors.push(error);
      continue;
    }
    const from = `${site.file}#${site.container}`;
    const sdkAction = iamAction(site.op);
    sent.add(sdkAction.toLowerCase());
    // The transaction's items found in the reached code authorize it; found none, it needs all kinds.
    const authorized = sdkAction === 'dynamodb:TransactWriteItems' && items ? [] : AUTHORIZED_AS[sdkAction];
    for (const action of authorized ?? [sdkAction]) {
      if (!calls.has(action)) {
        calls.set(action, { action, from: site.transactionItem ? `${from} (transaction item)` : from });
      }
    }
    for (const implied of IMPLIED[sdkAction] ?? []) {
      if (!calls.has(implied.action))
        calls.set(implied.action, { action: implied.action, from: `${sdkAction}: ${implied.why}` });
    }
  }
  const shippedUnsent = shipped
    .filter((op) => !CREDENTIAL_PROVIDER_CLIENTS.has(op.client))
    .map(iamAction)
    .filter((a) => !sent.has(a.toLowerCase()));
  return { calls: [...calls.values()], shippedUnsent, errors };
}

export interface CheckResult {
  /** "function X calls dynamodb:Y but its role does not allow it" (fails the check). */
  violations: string[];
  /** Allowed patterns no call matches and no platform use explains (least-privilege hints). */
  unused: string[];
}

export function checkFunction(
  name: string,
  calls: readonly Call[],
  statements: readonly PolicyStatement[],
  /** Allowed for the platform's use, so no hint (PLATFORM_ACTIONS, or the stream consumers' set). */
  platform: Record<string, string> = PLATFORM_ACTIONS,
): CheckResult {
  const allowed = allowedPatterns(statements);
  const violations = calls
    .filter((c) => !allowed.some((p) => actionMatches(p, c.action)))
    .map((c) => `function ${name} calls ${c.action} but its role does not allow it (${c.from})`);
  const unused = [...new Set(allowed)].filter(
    (p) =>
      !calls.some((c) => actionMatches(p, c.action)) &&
      !Object.keys(platform).some((a) => actionMatches(p, a)),
  );
  return { violations, unused };
}

/**
 * Resource-level check of the starts: each state machine the code starts must be a Resource of a
 * statement that allows states:StartExecution. `arnOf` gives the workflow's ARN as the template
 * spells it (the function's own environment variable, infra/constructs/functions.ts), compared as JSON.
 */
export function checkWorkflowStarts(
  name: string,
  starts: readonly WorkflowStart[],
  statements: readonly PolicyStatement[],
  arnOf: (workflow: string) => unknown,
): string[] {
  const allowed = statements
    .filter(
      (s) => s.Effect === 'Allow' && asList(s.Action).some((a) => actionMatches(a, 'states:StartExecution')),
    )
    .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
    .map((r) => JSON.stringify(r));
  const out: string[] = [];
  for (const start of starts) {
    for (const workflow of start.workflows) {
      const arn = arnOf(workflow);
      if (arn === undefined) {
        out.push(
          `function ${name} starts ${workflow}, which no state machine ARN names (${start.file}#${start.container})`,
        );
      } else if (!allowed.includes(JSON.stringify(arn)) && !allowed.includes('"*"')) {
        out.push(
          `function ${name} starts the ${workflow} state machine but its role does not allow states:StartExecution on it (${start.file}#${start.container})`,
        );
      }
    }
  }
  return [...new Set(out)];
}
