import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BANK_SCOPE_PREFIX, RESOURCE_SERVER_ID } from '../../functions/pre-token-generation/handler.ts';
import { roles } from '../../functions/schemas/claims.ts';
import { functionBase } from './functions.ts';

export interface IdentityProps {
  logRetention: logs.RetentionDays;
  /** Banks whose systems get client credentials: one app client and one scope each. */
  machineBanks: readonly string[];
  /** Prefix of the Cognito domain (`<prefix>.auth.<region>.amazoncognito.com`); default freezeflow-<account>. */
  domainPrefix?: string;
}

/**
 * Who may call the API, by default: an Amazon Cognito user pool (Essentials feature plan: access
 * token customisation). People sign in through the managed login with authorization code + PKCE
 * (the console's app client); a person's role is their one group (police, bank, regulator, admin)
 * and their scope the `custom:agencyId` / `custom:bankId` an administrator set. A bank's system
 * uses client credentials with its own app client, allowed only the scope `freezeflow/bank.<bankId>`.
 * The V3_0 pre-token-generation trigger (functions/pre-token-generation/handler.ts) writes `role`,
 * `agencyId`, `bankId` into the access token the HTTP API's JWT authorizer verifies, for people and
 * for client-credentials grants alike.
 */
export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  readonly resourceServer: cognito.UserPoolResourceServer;
  readonly trigger: nodejs.NodejsFunction;
  readonly bankClients = new Map<string, cognito.UserPoolClient>();
  private consoleAppClient?: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Users', {
      // Accounts are created by an administrator (README "Deploying"), never by sign-up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      customAttributes: {
        agencyId: new cognito.StringAttribute({ minLen: 1, maxLen: 128, mutable: true }),
        bankId: new cognito.StringAttribute({ minLen: 1, maxLen: 128, mutable: true }),
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'threat protection (formerly advanced security) needs the Plus feature plan; Essentials gives the access-token customisation the API needs, and Plus is a deployment choice',
    });
    for (const role of roles) {
      this.userPool.addGroup(`${role[0]?.toUpperCase()}${role.slice(1)}Group`, {
        groupName: role,
        description: `freezeflow ${role}: the pre-token-generation trigger puts role=${role} into the token`,
      });
    }

    this.trigger = this.preTokenGenerationFunction(props.logRetention);
    this.userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.trigger,
      cognito.LambdaVersion.V3_0,
    );

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? Fn.join('-', ['freezeflow', Aws.ACCOUNT_ID]) },
    });

    const bankScopes = props.machineBanks.map(
      (bankId) =>
        new cognito.ResourceServerScope({
          scopeName: `${BANK_SCOPE_PREFIX}${bankId}`,
          scopeDescription: `the systems of bank ${bankId}`,
        }),
    );
    this.resourceServer = this.userPool.addResourceServer('Api', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'freezeflow API',
      scopes: bankScopes,
    });
    props.machineBanks.forEach((bankId, i) => {
      const scope = bankScopes[i] as cognito.ResourceServerScope;
      this.bankClients.set(
        bankId,
        this.userPool.addClient(`Bank${i + 1}Client`, {
          userPoolClientName: `bank-${bankId.replaceAll('~', '+')}`,
          generateSecret: true,
          authFlows: {},
          oAuth: {
            flows: { clientCredentials: true },
            scopes: [cognito.OAuthScope.resourceServer(this.resourceServer, scope)],
          },
          accessTokenValidity: Duration.hours(1),
          enableTokenRevocation: true,
          preventUserExistenceErrors: true,
        }),
      );
    });
  }

  /** The OIDC issuer of the pool's tokens (partition-correct: ProviderURL). */
  get issuer(): string {
    return `https://${this.userPool.userPoolProviderUrl}`;
  }

  /** Where a browser signs in: the issuer (discovery, keys) and the managed login domain (token endpoint). */
  get signInOrigins(): string[] {
    return [`https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}`, this.domain.baseUrl()];
  }

  /** The console's app client: authorization code + PKCE, no secret (a browser cannot keep one). */
  consoleClient(consoleUrl: string): cognito.UserPoolClient {
    this.consoleAppClient ??= this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'freezeflow-console',
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      // The console may read the scope attributes, never write them (an administrator sets them).
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('agencyId', 'bankId'),
      writeAttributes: new cognito.ClientAttributes(),
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    return this.consoleAppClient;
  }

  /** Client ids the JWT authorizer accepts (`client_id` of Cognito access tokens). */
  get clientIds(): string[] {
    return [
      ...(this.consoleAppClient ? [this.consoleAppClient.userPoolClientId] : []),
      ...[...this.bankClients.values()].map((c) => c.userPoolClientId),
    ];
  }

  private preTokenGenerationFunction(logRetention: logs.RetentionDays): nodejs.NodejsFunction {
    const folder = 'pre-token-generation';
    const placeholder = !Stack.of(this).bundlingRequired;
    const logGroup = new logs.LogGroup(this, 'PreTokenGenerationLogs', { retention: logRetention });
    const role = new iam.Role(this, 'PreTokenGenerationRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'freezeflow pre-token-generation: writes its own logs, nothing else',
    });
    logGroup.grantWrite(role);
    const fn = new nodejs.NodejsFunction(this, 'PreTokenGeneration', {
      description: 'freezeflow pre-token-generation (Cognito): role, agencyId, bankId into the access token',
      ...functionBase(folder, placeholder),
      memorySize: 256,
      // Cognito waits at most 5 s for a trigger.
      timeout: Duration.seconds(5),
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'freezeflow',
        FREEZEFLOW_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x on purpose, like every freezeflow function: the bundle targets node22 (infra/constructs/functions.ts)',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'xray:PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions',
    });
    return fn;
  }
}
