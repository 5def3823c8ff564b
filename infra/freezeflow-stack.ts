import { CfnOutput, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type ClaimNames, DEFAULT_CLAIM_NAMES } from '../functions/schemas/claims.ts';
import { routeById } from '../functions/schemas/routes.ts';
import { Alarms } from './constructs/alarms.ts';
import { Api } from './constructs/api.ts';
import { ConsoleHosting } from './constructs/console.ts';
import { Events } from './constructs/events.ts';
import { Functions } from './constructs/functions.ts';
import { Identity } from './constructs/identity.ts';
import { Observability } from './constructs/observability.ts';
import { Tables } from './constructs/tables.ts';
import { Workflow } from './constructs/workflow.ts';
import type { FunctionFolder } from './function-catalog.ts';

/** The `aud` expected of an external issuer's tokens unless jwtAudience says otherwise. */
export const DEFAULT_JWT_AUDIENCE = 'freezeflow';

export interface FreezeflowStackProps extends StackProps {
  /**
   * Issuer (`iss`) of an external OIDC provider's police/bank/regulator/admin tokens. Unset: the
   * stack's own Cognito user pool (infra/constructs/identity.ts) issues them.
   */
  jwtIssuer?: string;
  /** Expected `aud` of an external issuer's tokens. */
  jwtAudience?: string;
  /** Names of the role / agencyId / bankId claims in the tokens (an external issuer's may differ). */
  claimNames?: Partial<ClaimNames>;
  /** Banks whose systems get Cognito client credentials (one app client + scope each). */
  bankClients?: readonly string[];
  /** Prefix of the Cognito domain of the managed login (default freezeflow-<account id>). */
  authDomainPrefix?: string;
  /** OAuth client ids also accepted (matched on `client_id` when a token has no `aud`). */
  jwtClientIds?: readonly string[];
  logRetention?: logs.RetentionDays;
  /** Name prefix of the banks' signing secrets in Secrets Manager (default `freezeflow/<stack name>`). */
  signingSecretPrefix?: string;
  throttle?: { burstLimit: number; rateLimit: number };
  /** OIDC client id of the web console (authorization code + PKCE against `jwtIssuer`). */
  consoleClientId?: string;
  /** Who gets the alarms (an email subscription of the alarm topic). */
  alarmEmail?: string;
  /** A custom domain of the API (ACM certificate in the stack's region); else its default endpoint. */
  apiDomain?: { domainName: string; certificateArn: string };
}

/** freezeflow in one stack: table, event bus, functions, workflows, HTTP API, alarms (docs/design.md). */
export class FreezeflowStack extends Stack {
  readonly tables: Tables;
  readonly events: Events;
  readonly functions: Functions;
  readonly workflow: Workflow;
  readonly api: Api;
  readonly alarms: Alarms;
  readonly observability: Observability;
  readonly console: ConsoleHosting;
  /** The Cognito user pool, unless an external issuer is configured. */
  readonly identity?: Identity;

  constructor(scope: Construct, id: string, props: FreezeflowStackProps = {}) {
    super(scope, id, props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.observability = new Observability(this, 'Observability', {
      logRetention,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    this.tables = new Tables(this, 'Data');
    this.events = new Events(this, 'Events');
    this.functions = new Functions(this, 'Functions', {
      table: this.tables.table,
      key: this.tables.key,
      signingSecretPrefix: props.signingSecretPrefix ?? `freezeflow/${this.stackName}`,
      logRetention,
      eventBus: this.events.bus,
      claimNames: { ...DEFAULT_CLAIM_NAMES, ...props.claimNames },
    });
    this.workflow = new Workflow(this, 'Workflow', { functions: this.functions, logRetention });
    if (!props.jwtIssuer && this.partition === 'aws-cn') {
      // CloudFormation has no AWS::Cognito::UserPool in cn-north-1 / cn-northwest-1 (the CDK's
      // resource specification of those regions): China deployments bring their own OIDC issuer.
      throw new Error(
        'the China regions have no Amazon Cognito user pools: set the OIDC issuer with -c freezeflow:jwtIssuer=https://... (README, Deploying)',
      );
    }
    const identity = props.jwtIssuer
      ? undefined
      : new Identity(this, 'Identity', {
          logRetention,
          machineBanks: props.bankClients ?? [],
          ...(props.authDomainPrefix ? { domainPrefix: props.authDomainPrefix } : {}),
        });
    this.identity = identity;
    const issuer = props.jwtIssuer ?? identity?.issuer ?? '';
    this.api = new Api(this, 'Api', {
      functions: this.functions,
      jwt: {
        issuer,
        // Cognito access tokens carry no `aud`: the authorizer matches their `client_id` instead.
        audience: identity
          ? Lazy.list({ produce: () => [...identity.clientIds, ...(props.jwtClientIds ?? [])] })
          : [props.jwtAudience ?? DEFAULT_JWT_AUDIENCE, ...(props.jwtClientIds ?? [])],
      },
      logRetention,
      throttle: props.throttle ?? { burstLimit: 200, rateLimit: 100 },
      ...(props.apiDomain ? { customDomain: props.apiDomain } : {}),
    });
    this.functions.setApiUrl(this.api.publicUrl);
    this.alarms = new Alarms(this, 'Alarms', {
      stateMachines: this.workflow.stateMachines,
      streamDeadLetterQueue: this.functions.streamDeadLetterQueue,
      confirmationFunction: this.functions.get(routeById('recordConfirmation').handler as FunctionFolder),
    });

    this.observability.dashboard({
      stateMachines: this.workflow.stateMachines,
      streamDeadLetterQueue: this.functions.streamDeadLetterQueue,
      functions: this.functions.all,
    });

    this.console = new ConsoleHosting(this, 'Console', {
      apiUrl: this.api.url,
      oidc: {
        issuer,
        clientId: identity
          ? Lazy.string({ produce: () => identity.clientIds[0] })
          : (props.consoleClientId ?? 'freezeflow-console'),
        ...(identity ? { origins: identity.signInOrigins } : {}),
      },
    });
    identity?.consoleClient(`https://${this.console.distribution.distributionDomainName}/console/`);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `https://${this.console.distribution.distributionDomainName}/console/`,
    });
    if (identity) {
      new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
      new CfnOutput(this, 'ConsoleClientId', { value: identity.clientIds[0] ?? '' });
      new CfnOutput(this, 'TokenEndpoint', { value: `${identity.domain.baseUrl()}/oauth2/token` });
      for (const [bankId, client] of identity.bankClients) {
        new CfnOutput(this, `BankClient${bankId.replace(/[^A-Za-z0-9]/g, '')}`, {
          description: `app client of bank ${bankId} (client credentials, scope freezeflow/bank.${bankId})`,
          value: client.userPoolClientId,
        });
      }
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.alarmTopic.topicArn });
    new CfnOutput(this, 'TableName', { value: this.tables.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
  }
}
