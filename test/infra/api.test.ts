import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/schemas/routes.ts';
import { contextKeys } from '../../infra/freezeflow-app.ts';
import { DEFAULT_JWT_AUDIENCE } from '../../infra/freezeflow-stack.ts';
import { type Built, buildStack, fastApp, ofType, type Resource } from './fixture.ts';

let built: Built;
beforeAll(() => {
  built = buildStack();
});

const routeKey = (r: (typeof routes)[number]) => `${r.method} ${r.path}`;

function routeResource(key: string): Resource {
  const found = ofType(built.resources, 'AWS::ApiGatewayV2::Route').filter(
    ([, r]) => r.Properties.RouteKey === key,
  );
  expect(found, key).toHaveLength(1);
  return found[0]![1];
}

function authorizers(): [string, Resource][] {
  return ofType(built.resources, 'AWS::ApiGatewayV2::Authorizer');
}

describe('HTTP API routes (functions/schemas/routes.ts)', () => {
  it('has exactly one route per entry of routes.ts', () => {
    const keys = ofType(built.resources, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual(routes.map(routeKey).sort());
  });

  for (const route of routes) {
    describe(routeKey(route), () => {
      it(route.roles.length ? 'sits behind the JWT authorizer' : 'is public (no roles)', () => {
        const r = routeResource(routeKey(route));
        if (route.roles.length) {
          const [authorizerId] = authorizers()[0]!;
          expect(r.Properties).toMatchObject({
            AuthorizationType: 'JWT',
            AuthorizerId: { Ref: authorizerId },
          });
        } else {
          expect(r.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
          expect(r.Properties.AuthorizerId).toBeUndefined();
        }
      });

      it(`is integrated with functions/${route.handler}/handler.ts`, () => {
        const target = routeResource(routeKey(route)).Properties.Target as {
          'Fn::Join': [string, unknown[]];
        };
        const integrationRef = target['Fn::Join'][1][1] as { Ref: string };
        expect(target['Fn::Join'][1][0]).toBe('integrations/');
        const integration = built.resources[integrationRef.Ref];
        expect(integration?.Type).toBe('AWS::ApiGatewayV2::Integration');
        expect(integration?.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': [built.functionId(route.handler), 'Arn'] },
        });
      });

      it('may invoke its function (and only through this API)', () => {
        const apiId = built.logicalId(built.stack.api.httpApi);
        const permissions = ofType(built.resources, 'AWS::Lambda::Permission').filter(
          ([, p]) =>
            JSON.stringify(p.Properties.FunctionName) ===
            JSON.stringify({ 'Fn::GetAtt': [built.functionId(route.handler), 'Arn'] }),
        );
        expect(permissions.length).toBeGreaterThan(0);
        for (const [, p] of permissions) {
          expect(p.Properties.Principal).toBe('apigateway.amazonaws.com');
          expect(JSON.stringify(p.Properties.SourceArn)).toContain(JSON.stringify({ Ref: apiId }));
        }
      });
    });
  }
});

describe('routes that share a prefix', () => {
  it('keeps GET /banks/performance (literal) apart from PUT /banks/{bankId} (parameter)', () => {
    const performance = routeResource('GET /banks/performance');
    const register = routeResource('PUT /banks/{bankId}');
    const integrationOf = (r: Resource) =>
      (r.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
    expect(integrationOf(performance)).not.toBe(integrationOf(register));
    expect(built.resources[integrationOf(performance)]?.Properties.IntegrationUri).toEqual({
      'Fn::GetAtt': [built.functionId('bank-performance'), 'Arn'],
    });
    expect(built.resources[integrationOf(register)]?.Properties.IntegrationUri).toEqual({
      'Fn::GetAtt': [built.functionId('register-bank'), 'Arn'],
    });
  });

  it('routes the hold and release endpoints and the audit trail to their own functions', () => {
    for (const [key, folder] of [
      ['POST /cases/{caseId}/instructions/{instructionId}/extend', 'extend-hold'],
      ['POST /cases/{caseId}/releases', 'order-release'],
      ['GET /cases/{caseId}/audit', 'get-case-audit'],
      ['GET /banks/performance', 'bank-performance'],
    ] as const) {
      const route = routes.find((r) => routeKey(r) === key);
      expect(route?.handler, key).toBe(folder);
      expect(route?.roles.length, key).toBeGreaterThan(0);
      expect(routeResource(key).Properties.AuthorizationType, key).toBe('JWT');
    }
  });
});

describe('JWT authorizer', () => {
  it("is one authorizer of the stack's own Cognito user pool, accepting its app clients", () => {
    expect(authorizers()).toHaveLength(1);
    const props = authorizers()[0]![1].Properties;
    expect(props).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    const pool = built.logicalId(built.stack.identity!.userPool);
    expect(props.JwtConfiguration.Issuer).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [pool, 'ProviderURL'] }]],
    });
    const clients = ofType(built.resources, 'AWS::Cognito::UserPoolClient').map(([id]) => ({ Ref: id }));
    expect(clients.length).toBeGreaterThan(0);
    expect(props.JwtConfiguration.Audience).toEqual(clients);
  });

  it('takes issuer, audience and client ids from stack props or -c context', () => {
    const fromProps = buildStack(fastApp, {
      jwtIssuer: 'https://idp.example.invalid/realms/police',
      jwtAudience: 'freezeflow-prod',
      jwtClientIds: ['bank-portal'],
    });
    expect(
      ofType(fromProps.resources, 'AWS::ApiGatewayV2::Authorizer')[0]![1].Properties.JwtConfiguration,
    ).toEqual({
      Issuer: 'https://idp.example.invalid/realms/police',
      Audience: ['freezeflow-prod', 'bank-portal'],
    });

    const fromContext = buildStack({
      ...fastApp,
      context: {
        ...fastApp.context,
        [contextKeys.jwtIssuer]: 'https://idp.example.invalid/ctx',
        [contextKeys.jwtClientIds]: 'a, b',
      },
    });
    expect(
      ofType(fromContext.resources, 'AWS::ApiGatewayV2::Authorizer')[0]![1].Properties.JwtConfiguration,
    ).toEqual({ Issuer: 'https://idp.example.invalid/ctx', Audience: [DEFAULT_JWT_AUDIENCE, 'a', 'b'] });
  });
});

describe('default stage', () => {
  it('auto-deploys $default with throttling and JSON access logs kept 30 days', () => {
    const stages = ofType(built.resources, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]![1].Properties;
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
    });
    const logGroupId = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
    expect(built.resources[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey' });
  });
});
