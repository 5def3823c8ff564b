import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { routes } from '../../functions/schemas/routes.ts';
import { repoRoot } from '../paths.ts';
import { cfnRef, nagPseudo } from './cfn-ref.ts';

export interface ConsoleHostingProps {
  /** The HTTP API's stage URL (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  apiUrl: string;
  /** OIDC sign-in of the console (authorization code + PKCE; console/src/auth.tsx). */
  oidc: {
    issuer: string;
    clientId: string;
    scope?: string;
    /** Origins the sign-in talks to (discovery, token endpoint); default the issuer's origin. */
    origins?: string[];
  };
  /** The built console (`npm run build:console`); default console/dist. */
  distDir?: string;
}

/** The API's top-level path segments, each one CloudFront behaviour towards the HTTP API. */
export function apiPathPatterns(): string[] {
  const tops = new Set(routes.map((r) => `/${r.path.split('/')[1]}`));
  return [...tops].sort().flatMap((p) => [p, `${p}/*`]);
}

const acknowledge = (scope: IConstruct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id, reason });

/**
 * The web console in AWS: its files in a private S3 bucket read by CloudFront through origin
 * access control, under /console/ as locally; the API's routes behind the same distribution (no
 * cache, every viewer header but Host), so the console calls its own origin and needs no CORS;
 * a strict security-headers policy; and a runtime config.json with the API URL and the OIDC
 * settings written at deploy time.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly logs: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** The runtime configuration written as config.json (console/src/config.ts). */
  readonly configJson: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const secure = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.logs = new s3.Bucket(this, 'Logs', {
      ...secure,
      // CloudFront standard logs are written with ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    acknowledge(
      this.logs,
      'AwsSolutions-S1',
      'this is the access-log bucket of the console; logging it into itself would loop',
    );
    this.bucket = new s3.Bucket(this, 'Site', {
      ...secure,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 's3/',
    });

    const issuerOrigin = (props.oidc.origins ?? [new URL(props.oidc.issuer).origin]).join(' ');
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'freezeflow console: strict security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // React Flow positions nodes with style attributes: styles need 'unsafe-inline', scripts never.
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            `connect-src 'self' ${issuerOrigin}`,
            `form-action 'self' ${issuerOrigin}`,
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
          ].join('; '),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });

    const apiDomain = Fn.select(2, Fn.split('/', props.apiUrl));
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: new origins.HttpOrigin(apiDomain, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.headers,
    };
    const china = Stack.of(this).partition === 'aws-cn';
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'freezeflow console',
      defaultRootObject: 'console/index.html',
      defaultBehavior: {
        // Origin access control does not exist in the China regions (CloudFormation has no
        // AWS::CloudFront::OriginAccessControl there): an origin access identity instead.
        origin: china
          ? origins.S3BucketOrigin.withOriginAccessIdentity(this.bucket)
          : origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns().map((p) => [p, apiBehavior])),
      // A deep link (/console/cases/…) is a route of the single-page app: answer its index.html.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/console/index.html',
        ttl: Duration.seconds(0),
      })),
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    if (china) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR7',
        'the China regions have no origin access control: the bucket is read through an origin access identity, still private',
      );
    }
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'police, banks and regulators may sign in from any country; the API authorizes every call',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'no WAF yet: the API behind it has throttling and a JWT authorizer; a WebACL is a deployment choice',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'the default *.cloudfront.net certificate allows TLSv1; a custom domain with TLS_V1_2_2021 is a deployment choice',
    );

    const distDir = props.distDir ?? join(repoRoot, 'console', 'dist');
    const built = existsSync(join(distDir, 'index.html'));
    if (!built)
      Annotations.of(this).addInfo(
        `${distDir} is missing: the console is deployed as a placeholder (run npm run build:console)`,
      );
    this.configJson = {
      apiUrl: `https://${this.distribution.distributionDomainName}`,
      auth: {
        mode: 'oidc',
        issuer: props.oidc.issuer,
        clientId: props.oidc.clientId,
        scope: props.oidc.scope ?? 'openid',
      },
      environment: 'aws',
    };
    const deployment = new s3deploy.BucketDeployment(this, 'Files', {
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/',
      sources: [
        built
          ? s3deploy.Source.asset(distDir)
          : s3deploy.Source.data(
              'index.html',
              '<!doctype html><title>freezeflow console</title><p>The console was not built.</p>',
            ),
        // The runtime configuration (console/src/config.ts): the API on the same origin, OIDC sign-in.
        s3deploy.Source.jsonData('config.json', this.configJson),
      ],
      distribution: this.distribution,
      distributionPaths: ['/console/index.html', '/console/config.json'],
      memoryLimit: 512,
    });

    // The deployment's singleton Lambda lives at the stack's root: its findings are acknowledged there.
    const handler = Stack.of(this).node.children.find((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (handler) {
      acknowledge(
        handler,
        'AwsSolutions-L1',
        "CDK's BucketDeployment handler picks its own runtime (a CDK-managed Lambda)",
      );
      const role = handler.node.tryFindChild('ServiceRole');
      if (role) {
        const { partition, region } = nagPseudo(Stack.of(this));
        acknowledge(
          role,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          "CDK's BucketDeployment handler writes its own logs with the basic execution role",
        );
        const why =
          "CDK's BucketDeployment copies the console's asset into the console bucket (its own grants)";
        for (const action of ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'])
          acknowledge(role, `AwsSolutions-IAM5[Action::${action}]`, why);
        acknowledge(
          role,
          'AwsSolutions-IAM5[Resource::*]',
          `${why}; CloudFront invalidation has no resource-level permission`,
        );
        acknowledge(role, `AwsSolutions-IAM5[Resource::${cfnRef(this.bucket, 'Arn')}/*]`, why);
        acknowledge(
          role,
          `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${region}/*]`,
          why,
        );
      }
    }
    void deployment;
  }
}
