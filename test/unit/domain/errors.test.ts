import { describe, expect, it } from 'vitest';
import { NotFound, StateConflict, ValidationProblem } from '../../../functions/domain/errors.ts';

describe('domain refusals', () => {
  it('ValidationProblem keeps every field error and names them in its message', () => {
    const problem = new ValidationProblem([
      { path: 'frozen.minor', message: 'too much' },
      { path: 'reason', message: 'required' },
    ]);
    expect(problem).toBeInstanceOf(Error);
    expect(problem.name).toBe('ValidationProblem');
    expect(problem.errors).toEqual([
      { path: 'frozen.minor', message: 'too much' },
      { path: 'reason', message: 'required' },
    ]);
    expect(problem.message).toBe('frozen.minor: too much; reason: required');
  });

  it('StateConflict carries its rule', () => {
    const conflict = new StateConflict('already confirmed', 'INSTRUCTION_NOT_AWAITING_CONFIRMATION');
    expect(conflict).toBeInstanceOf(Error);
    expect(conflict.name).toBe('StateConflict');
    expect(conflict.message).toBe('already confirmed');
    expect(conflict.rule).toBe('INSTRUCTION_NOT_AWAITING_CONFIRMATION');
  });

  it('NotFound is an Error named NotFound', () => {
    const notFound = new NotFound('case C1 does not exist');
    expect(notFound).toBeInstanceOf(Error);
    expect(notFound.name).toBe('NotFound');
    expect(notFound.message).toBe('case C1 does not exist');
  });
});
