import { NeupushError, type NeupushErrorOptions } from '../shared/errors.js';

/** Another process is creating the same campaign right now; the loser stops, nothing is doubled. */
export class CampaignBusyError extends NeupushError {
  constructor(id: string, options?: NeupushErrorOptions) {
    super(`campaign ${id} is being created by another process at the same time`, 'ERR_CAMPAIGN_BUSY', options);
  }
}
