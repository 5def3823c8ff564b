import { Validations } from 'aws-cdk-lib';
import * as apigwv1 from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes } from '../../functions/schemas/routes.ts';
import type { Functions } from './functions.ts';

export interface JwtSettings {
  /** The `iss` the authorizer accepts (its OIDC discovery / JWKS is fetched from there). */
  issuer: string;
  /** Accepted `aud` values; a token without `aud` is checked on `client_id` against the same list. */
  audience: readonly string[];
}

export interface ApiProps {
  functions: Functions;
  jwt: JwtSettings;
  logRetention: logs.RetentionDays;
  throttle: { burstLimit: number; rateLimit: number };
  /** A custom domain of the API (its certificate in ACM, same region); else the default endpoint. */
  customDomain?: { domainName: string; certificateArn: string };
}

/** Access log fields (HTTP API context variables): no bodies, no query strings, no tokens. */
const accessLogFormat = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  subject: '$context.authorizer.claims.sub',
};

/**
 * The HTTP API of docs/api.md: one route per entry of functions/schemas/routes.ts, routed to that entry's
 * handler. Routes with roles sit behind the JWT authorizer (which proves the token; the handler
 * checks the role and scope claims); routes without roles are public.
 */
export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly routes: Map<string, apigw.HttpRoute> = new Map();
  /** The API's public base URL, absolute https (what banks' links start with). */
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'freezeflow: police freeze orders, bank confirmations, regulator totals',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: apigwv1.AccessLogFormat.custom(JSON.stringify(accessLogFormat)),
      },
    });

    if (props.customDomain) {
      const domainName = new apigw.DomainName(this, 'Domain', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'Certificate',
          props.customDomain.certificateArn,
        ),
      });
      new apigw.ApiMapping(this, 'DomainMapping', { api: this.httpApi, domainName, stage: this.stage });
      this.publicUrl = `https://${props.customDomain.domainName}/`;
    } else {
      this.publicUrl = this.stage.url;
    }

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwt.issuer, {
      jwtAudience: [...props.jwt.audience],
      identitySource: ['$request.header.Authorization'],
    });
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.id}Integration`, props.functions.get(route.handler));
        integrations.set(route.handler, integration);
      }
      const isPublic = route.roles.length === 0;
      const httpRoute = new apigw.HttpRoute(this, `${route.id}Route`, {
        httpApi: this.httpApi,
        routeKey: apigw.HttpRouteKey.with(route.path, apigw.HttpMethod[route.method]),
        integration,
        ...(isPublic ? {} : { authorizer }),
      });
      if (isPublic) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by the API contract (no roles in routes.ts)`,
        });
      }
      this.routes.set(route.id, httpRoute);
    }
  }

  get url(): string {
    return this.stage.url;
  }
}
