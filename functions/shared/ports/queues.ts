import type { IntakeMessage, ReferralCloudEvent } from '../../../schemas/cloud-event.js';

export interface IntakeQueue {
  enqueue(message: IntakeMessage): Promise<void>;
}

export interface TeamQueue {
  publish(teamId: string, event: ReferralCloudEvent): Promise<void>;
}
