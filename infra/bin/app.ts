#!/usr/bin/env node
import { createApp } from '../freezeflow-app.ts';

createApp();
