/**
 * cfn-guard's suppressions (infra/guard.ts): each names a rule the plugin really has and says why.
 * The rules themselves run on every `npx cdk synth` (infra/bin/app.ts), which .ci/run runs for the
 * env-agnostic stack and for an aws and an aws-cn region: an unsuppressed finding fails CI.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chinaGuardSuppressions, guardRulesDir, guardSuppressions } from '../../infra/guard.ts';

describe('cfn-guard suppressions', () => {
  const files = readdirSync(guardRulesDir).flatMap((service) =>
    readdirSync(join(guardRulesDir, service)).map((f) => f.replace(/\.guard$/, '')),
  );

  it('the plugin ships the Control Tower rules', () => {
    expect(existsSync(guardRulesDir)).toBe(true);
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(Object.entries({ ...guardSuppressions, ...chinaGuardSuppressions }))(
    '%s is a rule of the plugin, turned off with a reason',
    (rule, why) => {
      expect(files).toContain(rule);
      expect(why.length).toBeGreaterThan(40);
    },
  );
});
