import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FreezeflowStack, type FreezeflowStackProps } from './freezeflow-stack.ts';

export const STACK_NAME = 'FreezeflowStack';

/** Optional `-c key=value` settings of the JWT authorizer (defaults: see freezeflow-stack.ts). */
export const contextKeys = {
  jwtIssuer: 'freezeflow:jwtIssuer',
  jwtAudience: 'freezeflow:jwtAudience',
  /** comma-separated */
  jwtClientIds: 'freezeflow:jwtClientIds',
} as const;

/**
 * The app with its one stack, env-agnostic (no lookups: synthesizes offline without credentials),
 * checked by cdk-nag's AwsSolutions pack. The tests build the app through this function too.
 */
export function createApp(
  props: AppProps = {},
  stackProps: FreezeflowStackProps = {},
): { app: App; stack: FreezeflowStack } {
  const app = new App(props);
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const stack = new FreezeflowStack(app, STACK_NAME, {
    description: 'freezeflow: police freeze orders to banks (Step Functions), confirmations, totals',
    jwtIssuer: context(contextKeys.jwtIssuer),
    jwtAudience: context(contextKeys.jwtAudience),
    jwtClientIds: context(contextKeys.jwtClientIds)
      ?.split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    ...stackProps,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return { app, stack };
}
