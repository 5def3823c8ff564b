import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray subsegments for every AWS SDK call of the clients built from the environment (active
 * tracing is on for every function, infra/constructs/functions.ts). Powertools turns itself off
 * outside Lambda, so local runs and tests trace nothing.
 */
const tracer = new Tracer({ serviceName: 'freezeflow' });

export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
