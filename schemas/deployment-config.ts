import * as z from 'zod/mini';
import { DEFAULT_RETENTION } from '../domain/retention.js';
import { CONCERNS, REQUEST_TYPES, TEAM_KINDS } from '../domain/vocabulary.js';
import { MunicipalityCodeSchema, SchoolLocationSchema } from './common.js';
import { TeamIdSchema } from './referral.js';

// Teams and routing rules of one deployment (one youth-care region or a group of them).
// The CDK app and local mode read the same file; route-signal gets it at build time.

export const TeamConfigSchema = z.strictObject({
  id: TeamIdSchema,
  name: z.string().check(z.minLength(1)),
  kind: z.enum(TEAM_KINDS),
  organisation: z.string().check(z.minLength(1)),
  /**
   * Municipalities the team serves without a routing rule naming it there: a municipality may
   * assign its unroutable signals to such a team, and a rejecting team may suggest it.
   */
  municipalities: z.optional(z.array(MunicipalityCodeSchema).check(z.minLength(1))),
});

export const RoutingRuleConfigSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/)),
  municipality: MunicipalityCodeSchema,
  teamId: TeamIdSchema,
  schoolLocations: z.optional(z.array(SchoolLocationSchema).check(z.minLength(1))),
  concerns: z.optional(z.array(z.enum(CONCERNS)).check(z.minLength(1))),
  ageRange: z.optional(
    z
      .strictObject({ min: z.optional(z.int().check(z.gte(0))), max: z.optional(z.int().check(z.gte(0))) })
      .check(
        z.refine((r) => r.min !== undefined || r.max !== undefined, { error: 'give min, max or both' }),
        z.refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
          error: 'min must not exceed max',
        }),
      ),
  ),
  requestType: z.optional(z.enum(REQUEST_TYPES)),
});

/**
 * How long pupil data and audit events are kept (domain/retention.ts); each period defaults to the
 * design brief's. The bounds refuse what would break the law or the brief: pupil data never past
 * the Verwijsindex's two years, audit events at least one full year.
 */
export const RetentionConfigSchema = z.strictObject({
  pupilDataMonthsAfterClose: z._default(
    z.int().check(z.gte(0), z.lte(24)),
    DEFAULT_RETENTION.pupilDataMonthsAfterClose,
  ),
  pupilDataMaxYears: z._default(z.int().check(z.gte(1), z.lte(2)), DEFAULT_RETENTION.pupilDataMaxYears),
  auditYears: z._default(z.int().check(z.gte(1), z.lte(20)), DEFAULT_RETENTION.auditYears),
});
export type RetentionConfig = z.infer<typeof RetentionConfigSchema>;

const GoalDaysSchema = z.int().check(z.gte(1), z.lte(90));
const GoalsSchema = z.strictObject({
  regularDays: z.optional(GoalDaysSchema),
  urgentDays: z.optional(GoalDaysSchema),
});

/**
 * Days from the clock start (care-team discussion, else receipt) within which help should have
 * started; past it a waiting referral is overdue and escalated. Default 14 days, 5 for an urgent
 * signal (domain/lead-times.ts); a municipality may set its own.
 */
export const LeadTimeConfigSchema = z.strictObject({
  ...GoalsSchema.shape,
  municipalities: z.optional(z.record(MunicipalityCodeSchema, GoalsSchema)),
});

/** Audit export files: how long the bucket keeps them (its lifecycle rule) before they expire. */
export const AuditExportConfigSchema = z.strictObject({
  fileRetentionDays: z._default(z.int().check(z.gte(1), z.lte(90)), 7),
});
export const DEFAULT_EXPORT_FILE_RETENTION_DAYS = 7;

export const DeploymentConfigSchema = z
  .strictObject({
    deployment: z
      .string()
      .check(
        z.regex(/^[a-z][a-z0-9-]{0,19}$/, { error: 'must be 1–20 lowercase letters, digits or hyphens' }),
      ),
    teams: z.array(TeamConfigSchema).check(z.minLength(1)),
    routingRules: z.array(RoutingRuleConfigSchema),
    /** Absent: the defaults of RetentionConfigSchema. */
    retention: z.optional(RetentionConfigSchema),
    /** Absent: export files expire after 7 days. */
    auditExports: z.optional(AuditExportConfigSchema),
    /** Absent: help should start within 14 days, 5 for an urgent signal. */
    leadTimes: z.optional(LeadTimeConfigSchema),
  })
  .check(
    z.superRefine((config, ctx) => {
      const teamIds = new Set<string>();
      config.teams.forEach((team, i) => {
        if (teamIds.has(team.id))
          ctx.addIssue({ code: 'custom', path: ['teams', i, 'id'], message: 'duplicate team id' });
        teamIds.add(team.id);
      });
      const ruleIds = new Set<string>();
      const defaults = new Set<string>();
      config.routingRules.forEach((rule, i) => {
        if (ruleIds.has(rule.id))
          ctx.addIssue({ code: 'custom', path: ['routingRules', i, 'id'], message: 'duplicate rule id' });
        ruleIds.add(rule.id);
        if (!teamIds.has(rule.teamId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routingRules', i, 'teamId'],
            message: `unknown team ${rule.teamId}`,
          });
        }
        const isDefault = !rule.schoolLocations && !rule.concerns && !rule.ageRange && !rule.requestType;
        if (isDefault) {
          if (defaults.has(rule.municipality)) {
            ctx.addIssue({
              code: 'custom',
              path: ['routingRules', i],
              message: `second default rule for municipality ${rule.municipality}`,
            });
          }
          defaults.add(rule.municipality);
        }
      });
    }),
  );

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;
export type TeamConfig = z.infer<typeof TeamConfigSchema>;
