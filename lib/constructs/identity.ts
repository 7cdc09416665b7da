/**
 * Stateful: the Cognito user pool (e-mail sign-in, the API's password policy,
 * no self sign-up: accounts are created through our API only; codes e-mailed
 * through SES from the stage's sender, or Cognito's own), its app client
 * (USER_PASSWORD_AUTH + refresh, 15-minute access tokens, revocation on), the
 * `admin` group, and a REGIONAL WebACL that rate-limits sign-in and sign-up.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  ADMIN_GROUP,
  challengeSessionMinutes,
  passwordPolicy,
  tokenValidity,
  verificationEmail,
} from '#lambdas/identity.ts';
import type { StageConfig } from '../config.ts';

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: false,
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: passwordPolicy.minLength,
        requireUppercase: passwordPolicy.requireUppercase,
        requireLowercase: passwordPolicy.requireLowercase,
        requireDigits: passwordPolicy.requireDigits,
        requireSymbols: passwordPolicy.requireSymbols,
        tempPasswordValidity: Duration.days(1),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Cognito e-mails a code to confirm an address (sign-up, a new address) and to reset a password;
      // the API confirms it (lambdas/users/service.ts). A new address replaces the old only once confirmed.
      autoVerify: { email: true },
      keepOriginal: { email: true },
      userVerification: {
        emailStyle: cognito.VerificationEmailStyle.CODE,
        emailSubject: verificationEmail.subject,
        emailBody: verificationEmail.message,
      },
      email: config.emailFrom
        ? cognito.UserPoolEmail.withSES({
            fromEmail: config.emailFrom,
            fromName: 'Order Chat',
            sesRegion: Stack.of(scope).region,
          })
        : cognito.UserPoolEmail.withCognito(),
      // Two-factor sign-in for those who turn it on, with an authenticator app: no SMS (its cost, and
      // SNS's sandbox). The API answers the challenge (POST /auth/login/totp).
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: config.retainData,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.userPoolClient = this.userPool.addClient('ApiClient', {
      authFlows: { userPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      authSessionValidity: Duration.minutes(challengeSessionMinutes),
      accessTokenValidity: Duration.minutes(tokenValidity.accessTokenMinutes),
      idTokenValidity: Duration.minutes(tokenValidity.idTokenMinutes),
      refreshTokenValidity: Duration.days(tokenValidity.refreshTokenDays),
      // No hosted UI: CDK's default would turn on the implicit and code flows with an example.com callback.
      disableOAuth: true,
    });

    new cognito.CfnUserPoolGroup(this, 'AdminGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: ADMIN_GROUP,
      description: 'Admins manage orders, users and chat rooms',
    });

    const webAcl = new wafv2.CfnWebACL(this, 'UserPoolWebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'UserPoolWebAcl', sampledRequestsEnabled: true },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: config.cognitoWafRateLimitPer5Min } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'UserPoolRateLimit',
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    // Ordering: the association reads both ARNs (GetAtt), so CloudFormation creates it only once the
    // WebACL and the pool are CREATE_COMPLETE (an extra DependsOn would be redundant: cfn-lint W3005).
    // The WebACL may still be propagating then (AWS WAF: seconds to minutes); CloudFormation's
    // AWS::WAFv2::WebACLAssociation create handler answers the resulting WAFUnavailableEntityException
    // with IN_PROGRESS and calls back until it succeeds (aws-cloudformation-resource-providers-wafv2,
    // webaclassociation CreateHandler), so the first deploy doesn't fail on it.
    new wafv2.CfnWebACLAssociation(this, 'UserPoolWebAclAssociation', {
      resourceArn: this.userPool.userPoolArn,
      webAclArn: webAcl.attrArn,
    });
  }
}
