import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { routeById } from '../functions/schemas/routes.ts';
import { Alarms } from './constructs/alarms.ts';
import { Api } from './constructs/api.ts';
import { ConsoleHosting } from './constructs/console.ts';
import { Events } from './constructs/events.ts';
import { Functions } from './constructs/functions.ts';
import { Tables } from './constructs/tables.ts';
import { Workflow } from './constructs/workflow.ts';
import type { FunctionFolder } from './function-catalog.ts';

/** Synth-time defaults: placeholders that deploy but accept no real token until set. */
export const DEFAULT_JWT_ISSUER = 'https://auth.example.invalid/freezeflow';
export const DEFAULT_JWT_AUDIENCE = 'freezeflow';

export interface FreezeflowStackProps extends StackProps {
  /** Issuer (`iss`) of the police/bank/regulator/admin tokens. */
  jwtIssuer?: string;
  /** Expected `aud` of the tokens. */
  jwtAudience?: string;
  /** OAuth client ids also accepted (matched on `client_id` when a token has no `aud`). */
  jwtClientIds?: readonly string[];
  logRetention?: logs.RetentionDays;
  /** Name prefix of the banks' signing secrets in Secrets Manager (default `freezeflow/<stack name>`). */
  signingSecretPrefix?: string;
  throttle?: { burstLimit: number; rateLimit: number };
  /** OIDC client id of the web console (authorization code + PKCE against `jwtIssuer`). */
  consoleClientId?: string;
  /** A custom domain of the API (ACM certificate in the stack's region); else its default endpoint. */
  apiDomain?: { domainName: string; certificateArn: string };
}

/** freezeflow in one stack: table, event bus, functions, workflows, HTTP API, alarms (DESIGN.md). */
export class FreezeflowStack extends Stack {
  readonly tables: Tables;
  readonly events: Events;
  readonly functions: Functions;
  readonly workflow: Workflow;
  readonly api: Api;
  readonly alarms: Alarms;
  readonly console: ConsoleHosting;

  constructor(scope: Construct, id: string, props: FreezeflowStackProps = {}) {
    super(scope, id, props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.tables = new Tables(this, 'Data');
    this.events = new Events(this, 'Events');
    this.functions = new Functions(this, 'Functions', {
      table: this.tables.table,
      key: this.tables.key,
      signingSecretPrefix: props.signingSecretPrefix ?? `freezeflow/${this.stackName}`,
      logRetention,
      eventBus: this.events.bus,
    });
    this.workflow = new Workflow(this, 'Workflow', { functions: this.functions, logRetention });
    this.api = new Api(this, 'Api', {
      functions: this.functions,
      jwt: {
        issuer: props.jwtIssuer ?? DEFAULT_JWT_ISSUER,
        audience: [props.jwtAudience ?? DEFAULT_JWT_AUDIENCE, ...(props.jwtClientIds ?? [])],
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

    this.console = new ConsoleHosting(this, 'Console', {
      apiUrl: this.api.url,
      oidc: {
        issuer: props.jwtIssuer ?? DEFAULT_JWT_ISSUER,
        clientId: props.consoleClientId ?? 'freezeflow-console',
      },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `https://${this.console.distribution.distributionDomainName}/console/`,
    });
    new CfnOutput(this, 'TableName', { value: this.tables.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
  }
}
