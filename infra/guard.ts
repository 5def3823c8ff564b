import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/**
 * cfn-guard's Control Tower proactive controls (@cdklabs/cdk-validator-cfnguard) run on every
 * `npx cdk synth` (infra/bin/app.ts; .ci/run synthesizes three times) beside cdk-nag. Each rule
 * turned off here (by its file name under the plugin's rules/control-tower/cfn-guard) says why;
 * every other rule must pass. A rule is off for the whole stack (the plugin has no per-resource
 * acknowledgement), so each reason names the resources it is about. Not in the unit tests' synths:
 * cfn-guard takes 15 s or more of CPU.
 */
export const guardSuppressions: Record<string, string> = {
  // lambda_inside_vpc_check
  'ct-lambda-pr-3':
    'no function reaches a private resource: DynamoDB, Step Functions, Secrets Manager, EventBridge are AWS APIs and banks are reached over the internet (https push); a VPC would add NAT cost and cold-start latency for no isolation gain',
  // lambda_function_public_access_prohibited_check
  'ct-lambda-pr-2':
    "the permissions are API Gateway's (per route, SourceArn of this stack's API), Cognito's (SourceArn of the user pool) and EventBridge Scheduler's: service principals bound to one resource, never public",
  // cloudwatch_log_group_retention_period_check
  'ct-cloudwatch-pr-2':
    'retention is a stack property (logRetention, default 30 days of operational logs): the audit trail lives in the table (PITR, retained), not in the logs; set ONE_YEAR where a policy asks for it',
  // kms_create_grant_aws_service_check
  'ct-kms-pr-3':
    "CDK's default key policy gives the account's administrators the key; the functions' grants are IAM statements on their roles, not key-policy CreateGrant",
  // sqs_dlq_check
  'ct-sqs-pr-1': 'the only queue is itself the dead-letter queue of the stream consumer',
  // api_gw_v2_authorization_type_configured_check
  'ct-apigateway-pr-5':
    'GET /health is public by the API contract (routes.ts gives it no roles); every other route has the JWT authorizer',
  // s3_bucket_object_lock_enabled_check
  'ct-s3-pr-9':
    "the console's files (replaced on every deploy) and its access logs (expire after 90 days): nothing of record",
  // s3_event_notifications_enabled_check
  'ct-s3-pr-4': "nothing reacts to the console's files or its access logs",
  // s3_bucket_versioning_enabled_check
  'ct-s3-pr-11':
    "the console's files are rebuilt from the repository on every deploy; the access logs expire after 90 days",
  // s3_bucket_default_encryption_kms_check
  'ct-s3-pr-10':
    'SSE-S3: the console is public static content read through CloudFront, and CloudFront standard logs cannot be written to a KMS-encrypted bucket',
  // s3_lifecycle_policy_check
  'ct-s3-pr-6': "the console's files are replaced by each deploy (its log bucket has a 90-day lifecycle)",
  // s3_bucket_logging_enabled_check
  'ct-s3-pr-2': 'the access-log bucket of the console: logging it into itself would loop',
  // cloudfront_custom_ssl_certificate_check
  'ct-cloudfront-pr-6':
    'the default *.cloudfront.net certificate; a custom domain with its own certificate is a deployment choice',
  // cloudfront_sni_enabled_check
  'ct-cloudfront-pr-7': 'follows from the default certificate (no custom certificate to serve by SNI)',
  // cloudfront_security_policy_check
  'ct-cloudfront-pr-9':
    'the default certificate fixes the minimum TLS version; with a custom domain set TLSv1.2_2021',
  // cloudfront_origin_failover_enabled_check
  'ct-cloudfront-pr-4':
    'one S3 origin in one region, the same region as the API the console calls: a second origin would not keep the console usable',
};

/** Rules off only for a synth in the China partition, each with why. */
export const chinaGuardSuppressions: Record<string, string> = {
  // cloudfront_origin_access_control_enabled_check
  'ct-cloudfront-pr-10':
    'CloudFront in the China regions has no origin access control: the console bucket is read through an origin access identity there (infra/constructs/console.ts), still never public',
};

export function cfnGuard(region?: string): CfnGuardValidator {
  const china = region?.startsWith('cn-') === true;
  const off = { ...guardSuppressions, ...(china ? chinaGuardSuppressions : {}) };
  return new CfnGuardValidator({ disabledRules: Object.keys(off) });
}

/** The plugin's bundled Control Tower rules (one `<id>.guard` file each, in a folder per service). */
export const guardRulesDir = join(
  dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);
