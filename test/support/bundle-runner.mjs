// A Lambda runtime in miniature, for test/infra/bundle-smoke.test.ts: loads one bundle (argv[2]) as
// the nodejs runtime does (`index.handler`) and runs the invocations its parent sends over IPC, one
// at a time, with a Lambda-like context. Plain JavaScript so that no TypeScript loader is involved:
// only the bundle and its environment run here.
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'smoke';
let mod;
try {
  mod = await import(pathToFileURL(bundle).href);
} catch (error) {
  process.send?.({ ready: false, error: { name: error.name, message: error.message, stack: error.stack } });
  process.exit(1);
}
process.send?.({ ready: true, exportsHandler: typeof mod.handler === 'function' });

let queue = Promise.resolve();
process.on('message', (message) => {
  queue = queue.then(async () => {
    const started = Date.now();
    // The runtime gives every invocation its trace header (active tracing): X-Ray builds the
    // invocation's segment from it (aws-xray-sdk-core env/aws_lambda.js).
    const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(started / 1000).toString(16)}-${hex(24)};Parent=${hex(16)};Sampled=1`;
    const context = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
      awsRequestId: `req-${message.id}`,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'smoke',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, 30_000 - (Date.now() - started)),
      done() {},
      fail() {},
      succeed() {},
    };
    try {
      const result = await mod.handler(message.event, context);
      process.send?.({ id: message.id, result });
    } catch (error) {
      process.send?.({
        id: message.id,
        error: { name: error?.name, message: error?.message, stack: error?.stack },
      });
    }
  });
});
process.on('disconnect', () => process.exit(0));
