import * as z from 'zod';
import { CONCERNS, REQUEST_TYPES, TEAM_KINDS } from '../domain/vocabulary.js';
import { MunicipalityCodeSchema, SchoolLocationSchema } from './common.js';
import { TeamIdSchema } from './referral.js';

// Teams and routing rules of one deployment (one youth-care region or a group of them).
// The CDK app and local mode read the same file; route-signal gets it at build time.

export const TeamConfigSchema = z.strictObject({
  id: TeamIdSchema,
  name: z.string().min(1),
  kind: z.enum(TEAM_KINDS),
  organisation: z.string().min(1),
});

export const RoutingRuleConfigSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  municipality: MunicipalityCodeSchema,
  teamId: TeamIdSchema,
  schoolLocations: z.array(SchoolLocationSchema).min(1).optional(),
  concerns: z.array(z.enum(CONCERNS)).min(1).optional(),
  ageRange: z
    .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
    .refine((r) => r.min !== undefined || r.max !== undefined, { error: 'give min, max or both' })
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
      error: 'min must not exceed max',
    })
    .optional(),
  requestType: z.enum(REQUEST_TYPES).optional(),
});

export const DeploymentConfigSchema = z
  .strictObject({
    deployment: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, { error: 'must be 1–20 lowercase letters, digits or hyphens' }),
    teams: z.array(TeamConfigSchema).min(1),
    routingRules: z.array(RoutingRuleConfigSchema),
  })
  .superRefine((config, ctx) => {
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
  });

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;
export type TeamConfig = z.infer<typeof TeamConfigSchema>;
