import { readFileSync } from 'node:fs';
import { type FunctionFolder, functionCatalog, LAMBDA_ARCHITECTURE } from '../infra/function-catalog.ts';
import type { MeterSnapshot } from '../local/meter.ts';

/** bench/prices.json: AWS list prices (US$ per unit), with the date they were read and their sources. */
export interface PriceTable {
  asOf: string;
  note: string;
  region: string;
  stepFunctions: { standardPerStateTransition: number; source: string };
  lambda: {
    perRequest: number;
    perGbSecond: Record<'x86_64' | 'arm64', number>;
    billingGranularityMs: number;
    source: string;
  };
  dynamodb: { perWriteRequestUnit: number; perReadRequestUnit: number; source: string };
  apiGatewayHttpApi: { perRequest: number; source: string };
  eventBridge: { perCustomEvent: number; source: string };
  secretsManager: { perApiCall: number; source: string };
}

export function loadPrices(file = new URL('./prices.json', import.meta.url)): PriceTable {
  return JSON.parse(readFileSync(file, 'utf8')) as PriceTable;
}

/** What a function is billed with: its configured memory and the stack's architecture (infra/). */
export interface LambdaConfig {
  memoryMb(fn: string): number;
  architecture: 'x86_64' | 'arm64';
}

/** The deployed configuration, read from infra/function-catalog.ts (the CDK stack builds from it). */
export const deployedLambdaConfig: LambdaConfig = {
  memoryMb(fn) {
    const spec = functionCatalog[fn as FunctionFolder];
    if (!spec) throw new Error(`function ${fn} is not in infra/function-catalog.ts`);
    return spec.memoryMb;
  },
  architecture: LAMBDA_ARCHITECTURE,
};

/** US$ by service (and the billed quantities behind them). */
export interface Cost {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  lambda: number;
  dynamodbWrites: number;
  dynamodbReads: number;
  dynamodb: number;
  apiGateway: number;
  eventBridge: number;
  secretsManager: number;
  total: number;
}

export interface BilledQuantities {
  stateTransitions: number;
  lambdaRequests: number;
  lambdaGbSeconds: number;
  writeRequestUnits: number;
  readRequestUnits: number;
  apiRequests: number;
  events: number;
  secretsManagerCalls: number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The billed quantities of a meter snapshot: GB-s = Σ billed ms (each rounded up to 1 ms) × memory. */
export function billedQuantities(usage: MeterSnapshot, config: LambdaConfig): BilledQuantities {
  return {
    stateTransitions: sum(Object.values(usage.workflows).map((w) => w.transitions)),
    lambdaRequests: sum(Object.values(usage.lambda).map((l) => l.invocations)),
    lambdaGbSeconds: sum(
      Object.entries(usage.lambda).map(([fn, l]) => (l.billedMs / 1000) * (config.memoryMb(fn) / 1024)),
    ),
    writeRequestUnits: sum(Object.values(usage.dynamo).map((d) => d.writeUnits)),
    readRequestUnits: sum(Object.values(usage.dynamo).map((d) => d.readUnits)),
    apiRequests: sum(Object.values(usage.apiRequests)),
    events: usage.eventsPublished,
    secretsManagerCalls: usage.secretsManagerCalls,
  };
}

/** US$ of billed quantities at the given prices (pure). */
export function priceQuantities(q: BilledQuantities, prices: PriceTable, config: LambdaConfig): Cost {
  const stepFunctions = q.stateTransitions * prices.stepFunctions.standardPerStateTransition;
  const lambdaRequests = q.lambdaRequests * prices.lambda.perRequest;
  const lambdaDuration = q.lambdaGbSeconds * prices.lambda.perGbSecond[config.architecture];
  const dynamodbWrites = q.writeRequestUnits * prices.dynamodb.perWriteRequestUnit;
  const dynamodbReads = q.readRequestUnits * prices.dynamodb.perReadRequestUnit;
  const apiGateway = q.apiRequests * prices.apiGatewayHttpApi.perRequest;
  const eventBridge = q.events * prices.eventBridge.perCustomEvent;
  const secretsManager = q.secretsManagerCalls * prices.secretsManager.perApiCall;
  const lambda = lambdaRequests + lambdaDuration;
  const dynamodb = dynamodbWrites + dynamodbReads;
  return {
    stepFunctions,
    lambdaRequests,
    lambdaDuration,
    lambda,
    dynamodbWrites,
    dynamodbReads,
    dynamodb,
    apiGateway,
    eventBridge,
    secretsManager,
    total: stepFunctions + lambda + dynamodb + apiGateway + eventBridge + secretsManager,
  };
}

/** US$ of a meter snapshot (pure). */
export function priceUsage(usage: MeterSnapshot, prices: PriceTable, config: LambdaConfig): Cost {
  return priceQuantities(billedQuantities(usage, config), prices, config);
}

/** Scales every figure of a cost (e.g. per order of k -> per 1,000 instructions: factor 1000 / k). */
export function scaleCost(cost: Cost, factor: number): Cost {
  return Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, v * factor])) as unknown as Cost;
}
