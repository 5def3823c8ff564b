/**
 * The stack's own identity provider (issue 12 §1): a Cognito user pool with the four role groups, the
 * agencyId / bankId attributes, the V3_0 pre-token-generation trigger, an app client for people
 * (authorization code + PKCE) and one client-credentials app client per bank given by context.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { roles } from '../../functions/schemas/claims.ts';
import { contextKeys } from '../../infra/freezeflow-app.ts';
import { buildStack, fastApp, ofType } from './fixture.ts';

const built = buildStack({
  ...fastApp,
  context: { ...fastApp.context, [contextKeys.bankClients]: 'HARBOR, LOTUS' },
});
const pool = () => ofType(built.resources, 'AWS::Cognito::UserPool');
const clients = () => ofType(built.resources, 'AWS::Cognito::UserPoolClient');

describe('Cognito user pool', () => {
  it('is one pool, admin-created accounts only, MFA required, Essentials (access-token customisation), retained', () => {
    expect(pool()).toHaveLength(1);
    const [, p] = pool()[0]!;
    expect(p.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      UserPoolTier: 'ESSENTIALS',
      DeletionProtection: 'ACTIVE',
    });
    expect(p.DeletionPolicy).toBe('Retain');
  });

  it('has the custom attributes agencyId and bankId', () => {
    const schema = pool()[0]![1].Properties.Schema as { Name: string; AttributeDataType: string }[];
    expect(schema.map((a) => a.Name).sort()).toEqual(['agencyId', 'bankId']);
  });

  it('has exactly the groups police, bank, regulator and admin', () => {
    const groups = ofType(built.resources, 'AWS::Cognito::UserPoolGroup').map(
      ([, g]) => g.Properties.GroupName,
    );
    expect(groups.sort()).toEqual([...roles].sort());
  });

  it('calls the pre-token-generation function with the V3_0 event (people and client credentials)', () => {
    const trigger = built.logicalId(built.stack.identity!.trigger);
    expect(pool()[0]![1].Properties.LambdaConfig).toEqual({
      PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [trigger, 'Arn'] }, LambdaVersion: 'V3_0' },
    });
    built.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [trigger, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
    });
    expect(built.resources[trigger]?.Properties.Timeout).toBeLessThanOrEqual(5);
  });

  it('gives people one app client: authorization code (PKCE: no secret), back to the console, no attribute writes', () => {
    const people = clients().filter(([, c]) => c.Properties.AllowedOAuthFlows?.includes('code'));
    expect(people).toHaveLength(1);
    const [, c] = people[0]!;
    expect(c.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
      AllowedOAuthScopes: expect.arrayContaining(['openid']),
      WriteAttributes: [],
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(JSON.stringify(c.Properties.CallbackURLs)).toContain('/console/');
  });

  it('gives each bank of the context one client-credentials client, allowed only its own scope', () => {
    const machines = clients().filter(([, c]) =>
      c.Properties.AllowedOAuthFlows?.includes('client_credentials'),
    );
    expect(machines).toHaveLength(2);
    const scopes = machines.map(([, c]) => JSON.stringify(c.Properties.AllowedOAuthScopes));
    expect(scopes.some((s) => s.includes('/bank.HARBOR') && !s.includes('LOTUS'))).toBe(true);
    expect(scopes.some((s) => s.includes('/bank.LOTUS') && !s.includes('HARBOR'))).toBe(true);
    for (const [, c] of machines) expect(c.Properties.GenerateSecret).toBe(true);
    built.template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'freezeflow',
      Scopes: Match.arrayWith([
        Match.objectLike({ ScopeName: 'bank.HARBOR' }),
        Match.objectLike({ ScopeName: 'bank.LOTUS' }),
      ]),
    });
  });

  it('lets the API accept exactly these app clients (client_id of the access tokens)', () => {
    const authorizer = ofType(built.resources, 'AWS::ApiGatewayV2::Authorizer')[0]![1];
    const accepted = (authorizer.Properties.JwtConfiguration.Audience as { Ref: string }[]).map((a) => a.Ref);
    expect(accepted.sort()).toEqual(
      clients()
        .map(([id]) => id)
        .sort(),
    );
  });

  it('has a managed-login domain', () => {
    expect(ofType(built.resources, 'AWS::Cognito::UserPoolDomain')).toHaveLength(1);
  });
});

describe('an external OIDC issuer instead (by context)', () => {
  const external = buildStack({
    ...fastApp,
    context: {
      ...fastApp.context,
      [contextKeys.jwtIssuer]: 'https://idp.example.invalid/realms/freezeflow',
      [contextKeys.claimRole]: 'freezeflow_role',
    },
  });

  it('creates no user pool and passes the claim names to every function', () => {
    expect(ofType(external.resources, 'AWS::Cognito::UserPool')).toHaveLength(0);
    const env = external.resources[external.functionId('get-case')]?.Properties.Environment.Variables;
    expect(env).toMatchObject({
      FREEZEFLOW_CLAIM_ROLE: 'freezeflow_role',
      FREEZEFLOW_CLAIM_AGENCY_ID: 'agencyId',
      FREEZEFLOW_CLAIM_BANK_ID: 'bankId',
    });
  });
});
