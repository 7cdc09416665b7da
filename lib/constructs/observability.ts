/**
 * Alarms (to an SNS topic, e-mailed when the stage config names an address)
 * and one dashboard: HTTP API 5xx rate, Lambda errors and throttles,
 * DynamoDB throttles, WebSocket integration errors.
 */
import { type CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';

export interface ObservabilityProps {
  config: StageConfig;
  httpApi: apigw.HttpApi;
  webSocketApi: apigw.WebSocketApi;
  webSocketStageName: string;
  functions: lambda.IFunction[];
  tables: Record<string, dynamodb.ITableV2>;
  /** Notification e-mails parked after failing every attempt. */
  parkedNotifications: cloudwatch.Metric;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new kms.Key(this, 'AlarmTopicKey', {
      enableKeyRotation: true,
      // A destroyed dev stage takes its key along (after KMS's shortest waiting period); prod keeps it.
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch publishes alarms to the encrypted topic itself: it needs the key, or no alarm arrives.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    // enforceSSL writes the topic's policy, which replaces SNS's default one: without this statement
    // CloudWatch may not publish, and no alarm arrives (AWS Knowledge Center,
    // "cloudwatch-receive-sns-for-alarm-trigger"). Only this account's alarms may.
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    if (props.config.alarmEmail)
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.config.alarmEmail));
    const alarmAction = new actions.SnsAction(this.topic);
    const alarm = (
      alarmId: string,
      metric: cloudwatch.Metric | cloudwatch.MathExpression,
      threshold: number,
      description: string,
    ) => {
      const created = metric.createAlarm(this, alarmId, {
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(alarmAction);
      this.alarms.push(created);
      return created;
    };

    const http5xxRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: props.httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        requests: props.httpApi.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
      },
      period: FIVE_MINUTES,
      label: 'HTTP 5xx %',
    });
    alarm('HttpApi5xxRate', http5xxRate, 1, 'More than 1% of HTTP API requests answered 5xx over 5 minutes');

    const wsMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.webSocketApi.apiId, Stage: props.webSocketStageName },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    alarm('WebSocketIntegrationErrors', wsMetric('IntegrationError'), 5, 'WebSocket route integrations failing');
    alarm('WebSocketExecutionErrors', wsMetric('ExecutionError'), 5, 'WebSocket API execution errors');

    for (const fn of props.functions) {
      const name = fn.node.id;
      alarm(`${name}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name} threw`);
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `${name} was throttled`,
      );
    }

    alarm(
      'NotificationsParked',
      props.parkedNotifications,
      1,
      'A notification e-mail failed every attempt and was parked',
    );

    const tableThrottles: cloudwatch.MathExpression[] = [];
    for (const [key, table] of Object.entries(props.tables)) {
      const metric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: { TableName: table.tableName },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        });
      const throttles = new cloudwatch.MathExpression({
        expression: `${key}Reads + ${key}Writes`,
        usingMetrics: {
          [`${key}Reads`]: metric('ReadThrottleEvents'),
          [`${key}Writes`]: metric('WriteThrottleEvents'),
        },
        period: FIVE_MINUTES,
        label: `${key} throttles`,
      });
      tableThrottles.push(throttles);
      alarm(`${key}TableThrottles`, throttles, 1, `DynamoDB ${key} table throttled requests`);
    }

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboards are global per account: two stages or two regions must not share a name.
      dashboardName: `order-chat-${props.config.stage}-${Stack.of(this).region}`,
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'HTTP requests',
            left: [props.httpApi.metricCount({ period: FIVE_MINUTES })],
          }),
          new cloudwatch.GraphWidget({ title: 'HTTP 5xx %', left: [http5xxRate] }),
          new cloudwatch.GraphWidget({
            title: 'HTTP latency p90',
            left: [props.httpApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p90' })],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'WebSocket',
            left: [wsMetric('ConnectCount'), wsMetric('MessageCount')],
            right: [wsMetric('IntegrationError'), wsMetric('ExecutionError')],
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda errors',
            left: props.functions.map((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
          }),
          new cloudwatch.GraphWidget({ title: 'DynamoDB throttles', left: tableThrottles }),
        ],
      ],
    });
    // CloudFormation takes Tags on a dashboard (CDK tags it with the app's tags); cfn-lint 1.51's
    // resource schema doesn't list the property yet, so its E3002 here is a false positive.
    (dashboard.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['E3002'] } });
  }
}
