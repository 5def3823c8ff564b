#!/usr/bin/env node
import { Validations } from 'aws-cdk-lib';
import { createApp } from '../freezeflow-app.ts';
import { cfnGuard } from '../guard.ts';

// cfn-guard's Control Tower rules on every CLI synth (infra/guard.ts lists the rules turned off, each with why).
const { app } = createApp();
Validations.of(app).addPlugins(cfnGuard(app.node.tryGetContext('freezeflow:region') as string | undefined));
