import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { FunctionTrigger } from '../../functions/shared/declarations.js';
import type { HouseFunction } from './house-function.js';

export interface FunctionScheduleProps {
  house: HouseFunction;
  trigger: Extract<FunctionTrigger, { kind: 'schedule' }>;
}

/**
 * An EventBridge rule that invokes a function on its declared schedule (cron, in UTC). The run
 * carries no data in its event: when a run fails, the next one does the same work, so EventBridge
 * retries a failed delivery within the hour and keeps no dead letters.
 */
export class FunctionSchedule extends Construct {
  readonly rule: Rule;
  readonly errors: Alarm;

  constructor(scope: Construct, id: string, props: FunctionScheduleProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Rule', {
      description: `Runs ${props.house.node.id} on cron(${props.trigger.cron}), UTC`,
      schedule: Schedule.expression(`cron(${props.trigger.cron})`),
      targets: [
        new LambdaFunction(props.house.function, {
          maxEventAge: Duration.hours(1),
          retryAttempts: 3,
        }),
      ],
    });
    Validations.of(this.rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'The scheduled event carries no work: a delivery EventBridge gives up on is done by the next ' +
        'scheduled run, so a dead-letter queue would only collect empty events.',
    });
    // A run that failed (it fails after doing the rest, when an item could not be done): the next
    // run tries again, but an operator should know before the same item fails for days.
    this.errors = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${props.house.node.id} failed a scheduled run; see its logs (retention_item_failed, batch_item_failed).`,
      metric: props.house.function.metricErrors({ statistic: 'Sum', period: Duration.hours(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
