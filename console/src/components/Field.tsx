import { type ReactNode, useId } from 'react';

/**
 * A labelled input with its error beside it (`error-<name>`): the name is the API's field path, so
 * an error from the browser's check and one from the API's problem+json land at the same place.
 */
export function Field(props: {
  name: string;
  label: ReactNode;
  error: string | undefined;
  hint?: ReactNode;
  className?: string;
  children: (attrs: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
    'data-testid': string;
  }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div className={`field ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({
        id,
        'aria-invalid': Boolean(props.error),
        'aria-describedby': describedBy || undefined,
        'data-testid': `input-${props.name}`,
      })}
      {props.hint ? (
        <span className="sub" id={hintId}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span className="field-error" id={errorId} data-testid={`error-${props.name}`}>
          {props.error}
        </span>
      ) : null}
    </div>
  );
}
