import { IntakeMessageSchema } from '../../schemas/cloud-event.js';
import { sqsMessageHandler } from '../shared/sqs-handler.js';
import { type RouteSignalDeps, routeSignal } from './route-signal.js';

/** Each intake message on its own, as sqsMessageHandler says; a failed one lands in the intake DLQ at last. */
export const makeHandler = (deps: RouteSignalDeps) =>
  sqsMessageHandler(async (body) => {
    await routeSignal(deps, IntakeMessageSchema.parse(body).signalId);
  });
