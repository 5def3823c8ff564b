import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from './freezeflow-app.ts';

let t = Date.now();
const { stack } = createApp({ context: { 'aws:cdk:bundling-stacks': [] } });
console.log('construct ms', Date.now() - t);
t = Date.now();
const report = new AwsSolutionsChecks().validateScope(stack);
console.log('nag ms', Date.now() - t);
t = Date.now();
for (const v of report.violations)
  console.log(v.severity, v.ruleName, v.violatingResources.map((r) => r.constructPath).join(' , '));
try {
  Template.fromStack(stack);
  console.log('synth ok ms', Date.now() - t);
} catch (e) {
  console.log('SYNTH FAIL', String(e).slice(0, 3000));
}
