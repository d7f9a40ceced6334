import * as z from 'zod/mini';
import { REFERRAL_STATUSES, TEAM_EVENT_TYPES } from '../domain/referral-state.js';
import { acrossFields, DateTimeSchema, IdSchema, textSchema } from './common.js';

export const ReferralStatusSchema = z.enum(REFERRAL_STATUSES, {
  error: `must be one of ${REFERRAL_STATUSES.join(', ')}`,
});
export const TeamIdSchema = z.string().check(
  z.regex(/^[a-z0-9](?:-?[a-z0-9])*$/, {
    error: 'must be a team id: lowercase letters, digits and single hyphens',
  }),
  z.maxLength(40),
);

export const ReferralEventInputSchema = z
  .strictObject({
    type: z.enum(TEAM_EVENT_TYPES, { error: `must be one of ${TEAM_EVENT_TYPES.join(', ')}` }),
    reason: z.optional(
      textSchema(1000).check(
        z.meta({
          description: 'Why; required for `rejected`. Shown to the school, never written to logs or audit.',
        }),
      ),
    ),
    suggestedTeamId: z.optional(
      TeamIdSchema.check(
        z.meta({
          description:
            'Only with `rejected`: a team of the same municipality that fits better. The signal is re-routed there first; else to the most specific rule whose team has not rejected it.',
        }),
      ),
    ),
  })
  // Two rules, each judged when its own fields are sound: a bad reason never hides a misplaced
  // suggestion, so one 400 names both.
  .check(
    acrossFields(['type', 'reason'], (input, ctx) => {
      if (input.type === 'rejected' && !input.reason) {
        ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when rejecting a referral' });
      }
    }),
    acrossFields(['type', 'suggestedTeamId'], (input, ctx) => {
      if (input.type !== 'rejected' && input.suggestedTeamId !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['suggestedTeamId'],
          message: 'is only possible when rejecting a referral',
        });
      }
    }),
  )
  .register(z.globalRegistry, { id: 'ReferralEvent' });

export type ReferralEventInput = z.infer<typeof ReferralEventInputSchema>;

export const ReferralSummarySchema = z
  .object({
    id: IdSchema,
    teamId: TeamIdSchema,
    status: ReferralStatusSchema,
    updatedAt: DateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'ReferralSummary' });

export type ReferralSummary = z.infer<typeof ReferralSummarySchema>;

export const ReferralHistoryEntrySchema = z.object({
  status: ReferralStatusSchema,
  at: DateTimeSchema,
  reason: z.optional(z.string()),
  suggestedTeamId: z.optional(TeamIdSchema),
});
