/**
 * E-mail for whoever is away: the dispatcher function, the schedule that runs it every minute
 * (EventBridge's finest rate), the SES configuration set its e-mails go through (SES suppresses an
 * address that bounced or complained, so no more mail goes to it), and the metric the
 * "notification parked" alarm watches (lambdas/notifications/service.ts logs each one).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { NOTIFY_SCHEDULE_SECONDS } from '../config.ts';
import { OrderChatFunction, type FunctionContext } from './order-chat-function.ts';

export const PARKED_METRIC = { metricNamespace: 'OrderChat', metricName: 'NotificationsParked' } as const;

export interface NotificationsProps {
  context: FunctionContext;
  /** The web app's URL: the e-mails link to orders in it, and the API (same origin) takes the unsubscribe. */
  appUrl: string;
}

export class Notifications extends Construct {
  readonly dispatcher: OrderChatFunction;
  /** Notifications parked after failing every attempt (each is a log line the filter counts). */
  readonly parked: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const configurationSet = new ses.ConfigurationSet(this, 'MailSettings', {
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
    });
    this.dispatcher = new OrderChatFunction(this, 'Dispatcher', {
      handler: 'jobs/notify',
      context: {
        ...props.context,
        environment: {
          ...props.context.environment,
          APP_URL: props.appUrl,
          SES_CONFIGURATION_SET: configurationSet.configurationSetName,
        },
      },
    });
    if (this.dispatcher.grants.sendsEmail && props.context.config.emailFrom) {
      // A send through a configuration set is authorized on the set as well as the identity.
      this.dispatcher.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            Stack.of(this).formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: configurationSet.configurationSetName,
            }),
          ],
        }),
      );
    }
    new events.Rule(this, 'EveryMinute', {
      description: 'Sends the notification e-mails that came due',
      schedule: events.Schedule.rate(Duration.seconds(NOTIFY_SCHEDULE_SECONDS)),
      // A run that fails is not run again: the next minute's takes what it left (claims run out).
      targets: [new targets.LambdaFunction(this.dispatcher, { retryAttempts: 0 })],
    });
    const filter = new logs.MetricFilter(this, 'ParkedFilter', {
      logGroup: this.dispatcher.logGroup,
      ...PARKED_METRIC,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', 'A notification was parked'),
      metricValue: '1',
    });
    this.parked = filter.metric({ statistic: 'Sum', period: Duration.minutes(5) });
  }
}
