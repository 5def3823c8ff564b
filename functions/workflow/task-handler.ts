import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ZodType, z } from 'zod';
import { Id } from '../schemas/common.ts';

/** Input every instruction task receives from the state machine. */
export const InstructionTaskInput = z.object({ caseId: Id, instructionId: Id });
export type InstructionTaskInput = z.infer<typeof InstructionTaskInput>;

/**
 * A workflow task handler: the state machine's Payload parsed with zod (a malformed payload is a
 * bug in the ASL, so it fails the task loudly), then the task. The same function runs in Lambda
 * and, bound by state name, in the local engine.
 */
export function taskHandler<I, O>(schema: ZodType<I>, task: (input: I) => Promise<O>) {
  return middy<unknown, O, Error, Context>().handler(async (event) => task(schema.parse(event)));
}
