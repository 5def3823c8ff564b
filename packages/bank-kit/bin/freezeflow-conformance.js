#!/usr/bin/env node
// The published entry point: the compiled runner (npm run build in packages/bank-kit writes dist/).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
