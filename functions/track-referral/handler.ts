import type { Implementations } from '../shared/declarations.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { TRACK_REFERRAL_OPERATIONS } from './declaration.js';
import { getReferral, listReferrals, recordReferralEvent, type TrackReferralDeps } from './track-referral.js';

const implementations: Implementations<typeof TRACK_REFERRAL_OPERATIONS, TrackReferralDeps> = {
  listReferrals: async ({ client, user, query }, deps) => ({
    status: 200,
    body: await listReferrals(deps, { client, user, query }),
  }),
  getReferral: async ({ client, user, path }, deps) => ({
    status: 200,
    body: await getReferral(deps, { client, user, id: path.id }),
  }),
  recordReferralEvent: async ({ client, user, path, body }, deps) => ({
    status: 200,
    body: await recordReferralEvent(deps, { client, user, id: path.id, event: body }),
  }),
};

export const makeHandler = (deps: TrackReferralDeps) =>
  apiHandler(TRACK_REFERRAL_OPERATIONS, implementations, deps);
