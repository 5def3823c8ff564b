import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FreezeflowStack, type FreezeflowStackProps } from './freezeflow-stack.ts';

export const STACK_NAME = 'FreezeflowStack';

/**
 * `FREEZEFLOW_SKIP_BUNDLING=1 npx cdk synth --quiet` synthesizes the templates without running
 * esbuild (the CLI refuses `-c aws:cdk:bundling-stacks=[]`: user context may not use `aws:` keys).
 * Such an assembly has placeholder code: never deploy it.
 */
export const SKIP_BUNDLING_ENV = 'FREEZEFLOW_SKIP_BUNDLING';
const BUNDLING_STACKS = 'aws:cdk:bundling-stacks';

/** Optional `-c key=value` settings of the JWT authorizer (defaults: see freezeflow-stack.ts). */
export const contextKeys = {
  jwtIssuer: 'freezeflow:jwtIssuer',
  jwtAudience: 'freezeflow:jwtAudience',
  /** comma-separated */
  jwtClientIds: 'freezeflow:jwtClientIds',
  /**
   * The stack's region, e.g. `cn-north-1`: the template then names its partition (`aws-cn`) and
   * regional service facts literally. Unset: env-agnostic (AWS::Partition, AWS::Region).
   */
  region: 'freezeflow:region',
  /** email address subscribed to the alarm topic */
  alarmEmail: 'freezeflow:alarmEmail',
  /** comma-separated bank ids whose systems get Cognito client credentials */
  bankClients: 'freezeflow:bankClients',
  authDomainPrefix: 'freezeflow:authDomainPrefix',
  /** claim names of an external issuer's tokens (defaults role, agencyId, bankId) */
  claimRole: 'freezeflow:claimRole',
  claimAgencyId: 'freezeflow:claimAgencyId',
  claimBankId: 'freezeflow:claimBankId',
  /** A custom domain of the API, with the ARN of its ACM certificate (both or neither). */
  apiDomainName: 'freezeflow:apiDomainName',
  apiCertificateArn: 'freezeflow:apiCertificateArn',
} as const;

/**
 * The app with its one stack, env-agnostic (no lookups: synthesizes offline without credentials),
 * checked by cdk-nag's AwsSolutions pack. The tests build the app through this function too.
 */
export function createApp(
  props: AppProps = {},
  stackProps: FreezeflowStackProps = {},
): { app: App; stack: FreezeflowStack } {
  const skipBundling = process.env[SKIP_BUNDLING_ENV] === '1' || process.env[SKIP_BUNDLING_ENV] === 'true';
  const app = new App(
    skipBundling ? { ...props, postCliContext: { ...props.postCliContext, [BUNDLING_STACKS]: [] } } : props,
  );
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const list = (key: string): string[] | undefined =>
    context(key)
      ?.split(',')
      .map((id) => id.trim())
      .filter(Boolean);
  const region = context(contextKeys.region);
  const apiDomainName = context(contextKeys.apiDomainName);
  const apiCertificateArn = context(contextKeys.apiCertificateArn);
  if ((apiDomainName === undefined) !== (apiCertificateArn === undefined)) {
    throw new Error(`${contextKeys.apiDomainName} and ${contextKeys.apiCertificateArn} go together`);
  }
  const stack = new FreezeflowStack(app, STACK_NAME, {
    ...(region ? { env: { region } } : {}),
    description: 'freezeflow: police freeze orders to banks (Step Functions), confirmations, totals',
    jwtIssuer: context(contextKeys.jwtIssuer),
    jwtAudience: context(contextKeys.jwtAudience),
    jwtClientIds: list(contextKeys.jwtClientIds),
    bankClients: list(contextKeys.bankClients),
    alarmEmail: context(contextKeys.alarmEmail),
    authDomainPrefix: context(contextKeys.authDomainPrefix),
    claimNames: Object.fromEntries(
      (
        [
          ['role', contextKeys.claimRole],
          ['agencyId', contextKeys.claimAgencyId],
          ['bankId', contextKeys.claimBankId],
        ] as const
      ).flatMap(([claim, key]) => {
        const name = context(key);
        return name ? [[claim, name]] : [];
      }),
    ),
    ...(apiDomainName && apiCertificateArn
      ? { apiDomain: { domainName: apiDomainName, certificateArn: apiCertificateArn } }
      : {}),
    ...stackProps,
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, stack };
}
