import { beforeAll, describe, expect, it } from 'vitest';
import { apiPathPatterns } from '../../infra/constructs/console.ts';
import { type Built, buildStack, ofType, type Resource } from './fixture.ts';

/** The console's hosting (infra/constructs/console.ts): S3 + CloudFront with OAC, headers, config.json. */
let built: Built;
let distribution: Resource;
beforeAll(() => {
  built = buildStack(undefined, {
    jwtIssuer: 'https://id.example.org/realms/ff',
    consoleClientId: 'console-spa',
  });
  const found = ofType(built.resources, 'AWS::CloudFront::Distribution');
  expect(found).toHaveLength(1);
  distribution = found[0]![1];
});

describe('console hosting', () => {
  it('keeps the bucket private: public access blocked, TLS only, read by CloudFront through OAC', () => {
    const bucketId = built.logicalId(built.stack.console.bucket);
    const bucket = built.resources[bucketId]!;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(ofType(built.resources, 'AWS::CloudFront::OriginAccessControl')).toHaveLength(1);
    const origin = (distribution.Properties.DistributionConfig.Origins as Resource['Properties'][]).find(
      (o) => o.S3OriginConfig,
    )!;
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    const policy = ofType(built.resources, 'AWS::S3::BucketPolicy').find(
      ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    )![1];
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, unknown>[];
    expect(
      statements.some(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'),
      ),
    ).toBe(true);
    const read = statements.find((s) => JSON.stringify(s.Principal).includes('cloudfront.amazonaws.com'))!;
    expect(read.Action).toBe('s3:GetObject');
    expect(JSON.stringify(read.Condition)).toContain('AWS:SourceArn');
  });

  it('sends a strict security-headers policy on every behaviour', () => {
    const [[policyId, policy]] = ofType(built.resources, 'AWS::CloudFront::ResponseHeadersPolicy') as [
      [string, Resource],
    ];
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).toContain('https://id.example.org');
    expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 31536000,
      IncludeSubdomains: true,
    });
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ContentTypeOptions.Override).toBe(true);
    expect(headers.ReferrerPolicy.ReferrerPolicy).toBe('no-referrer');
    const config = distribution.Properties.DistributionConfig;
    const behaviours = [config.DefaultCacheBehavior, ...config.CacheBehaviors] as Record<string, unknown>[];
    for (const b of behaviours) expect(b.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('routes every API path to the HTTP API on the same origin, uncached, and deep links to index.html', () => {
    const config = distribution.Properties.DistributionConfig;
    const patterns = (config.CacheBehaviors as { PathPattern: string; CachePolicyId: string }[]).map(
      (b) => b.PathPattern,
    );
    expect(patterns.sort()).toEqual(apiPathPatterns().sort());
    expect(patterns).toContain('/cases/*');
    // The managed CachingDisabled policy.
    for (const b of config.CacheBehaviors as { CachePolicyId: string }[])
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(config.CustomErrorResponses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ErrorCode: 404,
          ResponseCode: 200,
          ResponsePagePath: '/console/index.html',
        }),
      ]),
    );
    expect(config.Logging.Bucket).toBeDefined();
  });

  it('deploys the built files under console/ with a runtime config.json (API URL and OIDC settings)', () => {
    const [[, deployment]] = ofType(built.resources, 'Custom::CDKBucketDeployment') as [[string, Resource]];
    expect(deployment.Properties.DestinationBucketKeyPrefix).toBe('console/');
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(deployment.Properties.SourceMarkers ?? []);
    // The config's API URL is the distribution's own domain, filled in at deploy time.
    expect(markers).toContain(
      `"Fn::GetAtt":["${built.logicalId(built.stack.console.distribution)}","DomainName"]`,
    );
    expect(deployment.Properties.DistributionPaths).toEqual(['/console/index.html', '/console/config.json']);
    // The config's text is an asset; its deploy-time values are markers: check the source's shape instead.
    const config = JSON.stringify(built.stack.resolve(built.stack.console.configJson));
    expect(config).toContain('"mode":"oidc"');
    expect(config).toContain('https://id.example.org/realms/ff');
    expect(config).toContain('console-spa');
  });
});
