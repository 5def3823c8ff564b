/**
 * Domain refusals. Handlers map them to HTTP problems: a ValidationProblem is a 422 naming each
 * bad field, a StateConflict a 409, NotFound a 404. No AWS or HTTP types here.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class ValidationProblem extends Error {
  override readonly name = 'ValidationProblem';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

export class StateConflict extends Error {
  override readonly name = 'StateConflict';
  constructor(
    message: string,
    readonly rule: string,
  ) {
    super(message);
  }
}

export class NotFound extends Error {
  override readonly name = 'NotFound';
}
