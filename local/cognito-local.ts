/**
 * The cognito-local emulator as a child process, and the idempotent
 * provisioning of our user pool, app client and `admin` group in it.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetGroupCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolCommand,
  type UpdateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  ADMIN_GROUP,
  challengeSessionMinutes,
  LOCAL_EMAIL_FROM,
  passwordPolicy,
  tokenValidity,
  USER_POOL_CLIENT_NAME,
  USER_POOL_NAME,
  verificationEmail,
} from '#lambdas/identity.ts';
import { startChild, waitUntil, type Child } from './processes.ts';
import { emulatorClientConfig } from './aws.ts';
import type { LocalCredentials } from './credentials.ts';

const require = createRequire(import.meta.url);
const GUARD = join(import.meta.dirname, 'cognito-local-guard.cjs');

export interface CognitoLocal {
  endpoint: string;
  child: Child;
}

export async function startCognitoLocal(options: {
  port: number;
  dataDir: string;
  credentials: LocalCredentials;
  /** The local SES emulator its e-mails go to (local/mailbox.ts). */
  sesEndpoint: string;
}): Promise<CognitoLocal> {
  mkdirSync(options.dataDir, { recursive: true });
  const entry = require.resolve('cognito-local/lib/bin/start.js');
  // It keeps its data in .cognito/ under its working directory; the guard makes it the runtime's alone.
  const child = startChild('cognito-local', process.execPath, ['--require', GUARD, entry], {
    cwd: options.dataDir,
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DEBUG: '',
      COGNITO_LOCAL_ENTRY: entry,
      COGNITO_LOCAL_KEY_FILE: join(options.dataDir, 'signing-key.json'),
      COGNITO_GUARD_ACCESS_KEY_ID: options.credentials.accessKeyId,
      COGNITO_GUARD_SECRET: options.credentials.secretAccessKey,
      COGNITO_SES_ENDPOINT: options.sesEndpoint,
      COGNITO_EMAIL_FROM: LOCAL_EMAIL_FROM,
      COGNITO_EMAIL_SUBJECT: verificationEmail.subject,
      COGNITO_EMAIL_MESSAGE: verificationEmail.message,
      COGNITO_CHALLENGE_SESSION_SECONDS: String(challengeSessionMinutes * 60),
    },
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  await waitUntil('cognito-local', child, async () => (await fetch(`${endpoint}/health`)).ok, 20_000);
  return { endpoint, child };
}

/** What lib/constructs/identity.ts configures in AWS, as far as cognito-local keeps it. */
const poolSettings = {
  Policies: {
    PasswordPolicy: {
      MinimumLength: passwordPolicy.minLength,
      RequireUppercase: passwordPolicy.requireUppercase,
      RequireLowercase: passwordPolicy.requireLowercase,
      RequireNumbers: passwordPolicy.requireDigits,
      RequireSymbols: passwordPolicy.requireSymbols,
    },
  },
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
  AutoVerifiedAttributes: ['email'],
  // A new address replaces the old only once its code confirms it (CDK: keepOriginal).
  UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
  VerificationMessageTemplate: {
    DefaultEmailOption: 'CONFIRM_WITH_CODE',
    EmailSubject: verificationEmail.subject,
    EmailMessage: verificationEmail.message,
  },
  EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', From: LOCAL_EMAIL_FROM },
  // Two-factor sign-in for those who turn it on, with an authenticator app only (SetUserPoolMfaConfig below).
  MfaConfiguration: 'OPTIONAL',
} satisfies Omit<UpdateUserPoolCommandInput, 'UserPoolId'>;

export interface ProvisionedPool {
  userPoolId: string;
  clientId: string;
  issuer: string;
}

export function cognitoClient(endpoint: string, credentials: LocalCredentials): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient(emulatorClientConfig(endpoint, credentials));
}

/** Creates the pool, client and admin group unless they exist already. */
export async function provisionUserPool(endpoint: string, credentials: LocalCredentials): Promise<ProvisionedPool> {
  const client = cognitoClient(endpoint, credentials);
  try {
    const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    let userPoolId = pools.UserPools?.find((pool) => pool.Name === USER_POOL_NAME)?.Id;
    if (!userPoolId) {
      const created = await client.send(
        new CreateUserPoolCommand({
          PoolName: USER_POOL_NAME,
          UsernameAttributes: ['email'],
          ...poolSettings,
          Schema: [{ Name: 'name', AttributeDataType: 'String', Mutable: true }],
        }),
      );
      userPoolId = created.UserPool!.Id!;
    } else {
      // A pool made by an older version of the runtime gets today's settings (e-mail codes among them).
      await client.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, ...poolSettings }));
    }
    await client.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const clients = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
    let clientId = clients.UserPoolClients?.find((c) => c.ClientName === USER_POOL_CLIENT_NAME)?.ClientId;
    if (!clientId) {
      const created = await client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: USER_POOL_CLIENT_NAME,
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          AccessTokenValidity: tokenValidity.accessTokenMinutes,
          IdTokenValidity: tokenValidity.idTokenMinutes,
          RefreshTokenValidity: tokenValidity.refreshTokenDays,
          TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
          EnableTokenRevocation: true,
        }),
      );
      clientId = created.UserPoolClient!.ClientId!;
    }
    const group = await client
      .send(new GetGroupCommand({ UserPoolId: userPoolId, GroupName: ADMIN_GROUP }))
      .catch(() => undefined);
    if (!group?.Group) {
      await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: ADMIN_GROUP }));
    }
    return { userPoolId, clientId, issuer: `${endpoint}/${userPoolId}` };
  } finally {
    client.destroy();
  }
}
