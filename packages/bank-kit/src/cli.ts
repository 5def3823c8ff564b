#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { checkApi } from './api-checks.ts';
import { type CheckResult, checkReceiver, formatResult } from './conformance.ts';

const USAGE = `usage:
  freezeflow-conformance --endpoint <your webhook url> --secret <signing secret> [--timeout-ms 10000]
  freezeflow-conformance --api <freezeflow url> --bank <bankId> --token <bank JWT> [--wait-seconds 20]`;

/** Prints one line per check and answers the exit code: 0 when all pass, 1 on a failure, 2 on usage. */
export async function main(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        endpoint: { type: 'string' },
        secret: { type: 'string' },
        'timeout-ms': { type: 'string' },
        api: { type: 'string' },
        bank: { type: 'string' },
        token: { type: 'string' },
        'wait-seconds': { type: 'string' },
      },
    }).values as Record<string, string | undefined>;
  } catch (error) {
    print(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let results: CheckResult[];
  if (values.endpoint && values.secret) {
    results = await checkReceiver({
      endpoint: values.endpoint,
      secret: values.secret,
      ...(values['timeout-ms'] ? { timeoutMs: Number(values['timeout-ms']) } : {}),
    });
  } else if (values.api && values.bank && values.token) {
    results = await checkApi({
      api: values.api,
      bankId: values.bank,
      token: values.token,
      ...(values['wait-seconds'] ? { waitSeconds: Number(values['wait-seconds']) } : {}),
    });
  } else {
    print(USAGE);
    return 2;
  }
  for (const r of results) print(formatResult(r));
  const failed = results.filter((r) => !r.pass).length;
  print(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '');
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
