import type { Command } from 'commander';
import { registerActivity } from './activity.js';
import { registerApi } from './api.js';
import { registerCampaign } from './campaign.js';
import { registerSchedule } from './schedule.js';
import { registerDashboard } from './dashboard.js';
import { registerDemo } from './demo.js';
import { registerDlq } from './dlq.js';
import { registerSandbox } from './sandbox.js';
import { registerSend } from './send.js';
import { registerWebhooks } from './webhooks.js';
import { registerWorker } from './worker.js';

/** Each command lives in its own file and registers itself here: one line each. */
export function registerCommands(program: Command): void {
  registerSend(program);
  registerWorker(program);
  registerDlq(program);
  registerSandbox(program);
  registerDemo(program);
  registerDashboard(program);
  registerApi(program);
  registerCampaign(program);
  registerSchedule(program);
  registerWebhooks(program);
  registerActivity(program);
}
