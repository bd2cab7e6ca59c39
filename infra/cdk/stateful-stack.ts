import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolUser,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { AttributeType, ProjectionType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { INBOUND_PREFIX } from '../../modules/intake/index.ts';
import { IMPORTS_PREFIX } from '../../modules/receivables/index.ts';
import { tableSchema } from '../table-schema.ts';
import { receiptRuleNames } from '../aws-names.ts';

export interface StatefulStackProps extends StackProps {
  /** The managed login's domain prefix, unique in the region (`-c signInDomainPrefix=`; default steward[-<stage>]-<account id>). */
  signInDomainPrefix?: string;
  /** Starts every physical name (aws-names.ts namePrefix): steward-, steward-<stage>-. */
  namePrefix: string;
  /** Steward's first admin (`-c adminEmail=`): a Cognito user, invited by email with a temporary password. */
  adminEmail?: string;
  /** An existing receipt rule set Steward's rule joins (`-c receiptRuleSet=`): the bucket takes mail from that rule only. */
  receiptRuleSet?: string;
}

/** What must survive a redeploy: the table (PITR, RETAIN), the secrets, the staff user pool, the inbound mail bucket and the failed events. */
export class StatefulStack extends Stack {
  /** Staff sign-in: Cognito's managed login, ready to federate a company's SAML or OIDC identity provider. */
  readonly userPool: UserPool;
  readonly signInDomain: UserPoolDomain;
  readonly table: TableV2;
  readonly apiToken: Secret;
  readonly inboundMail: Bucket;
  readonly stripeWebhookSecret: Secret;
  readonly linkKey: Secret;
  readonly failedEvents: Queue;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: tableSchema.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableSchema.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableSchema.timeToLiveAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      globalSecondaryIndexes: tableSchema.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[index.projection],
      })),
    });
    /** A retained secret whose rotation is an operator's action (docs/operations.md), with the reason cdk-nag is told. */
    const operatorSecret = (id: string, description: string, length: number | undefined, whyNotRotatedByAws: string) => {
      const secret = new Secret(this, id, {
        description,
        ...(length ? { generateSecretString: { passwordLength: length, excludePunctuation: true } } : {}),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      NagSuppressions.addResourceSuppressions(secret, [{ id: 'AwsSolutions-SMG4', reason: whyNotRotatedByAws }]);
      return secret;
    };
    this.apiToken = operatorSecret(
      'ApiToken',
      'Bearer token of the Steward API and webhooks',
      40,
      'A static bearer token shared with monitoring tools; rotating it is an operator action (update the senders first), not an automatic one.',
    );
    // Customer links and reply addresses are signed with a key of their own, never the API token.
    this.linkKey = operatorSecret(
      'LinkKey',
      'Signs customer links and reply addresses in emails (rotate it: links sent within the last 7 days keep working)',
      64,
      'Rotating it is an operator action (docs/operations.md): put a new value; the functions accept the previous one for 7 days, so links in emails already sent keep working.',
    );
    // Stripe chooses the signing secret: the operator puts the endpoint's "whsec_…" value here.
    this.stripeWebhookSecret = operatorSecret(
      'StripeWebhookSecret',
      'Signing secret of the Stripe webhook endpoint POST /webhooks/stripe (paste it from the Stripe dashboard)',
      undefined,
      'Stripe issues and rotates this signing secret; it is copied in from the Stripe dashboard, not rotated by AWS.',
    );
    // Raw inbound mail as SES's receipt rule stores it: encrypted, private, TLS only, kept 90 days.
    const accessLogs = new Bucket(this, 'InboundMailAccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket of the inbound mail bucket; logging it again would recurse.' },
    ]);
    this.inboundMail = new Bucket(this, 'InboundMail', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'inbound-mail/',
      lifecycleRules: [
        { prefix: INBOUND_PREFIX, expiration: Duration.days(90) },
        // An import job deletes its file when it ends; one left behind by a job that never ended goes after a week.
        { prefix: IMPORTS_PREFIX, expiration: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // SES writes received mail here, only for this account's one receipt rule of Steward's.
    const { ruleSet, rule } = receiptRuleNames(props.namePrefix, props.receiptRuleSet);
    this.inboundMail.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.inboundMail.arnForObjects(`${INBOUND_PREFIX}*`)],
        conditions: {
          StringEquals: {
            'aws:SourceAccount': this.account,
            'aws:SourceArn': this.formatArn({
              service: 'ses',
              resource: 'receipt-rule-set',
              resourceName: `${ruleSet}:receipt-rule/${rule}`,
            }),
          },
        },
      }),
    );
    // The on-failure destination of every asynchronously invoked function: an event Lambda gave up on
    // after its two retries (an inbound email, a sweep, a bounce) waits here, 14 days, to be redriven.
    this.failedEvents = new Queue(this, 'FailedEvents', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.failedEvents, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter (on-failure) destination of the asynchronous functions.' },
    ]);
    this.userPool = new UserPool(this, 'StaffUsers', {
      selfSignUpEnabled: false, // staff are invited by an admin, never sign themselves up
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // A staff account can write off invoices: a second factor, an authenticator app (federated users: their IdP's).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.signInDomain = this.userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.signInDomainPrefix ?? `${props.namePrefix}${Aws.ACCOUNT_ID}` },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    if (props.adminEmail)
      new CfnUserPoolUser(this, 'FirstAdmin', {
        userPoolId: this.userPool.userPoolId,
        username: props.adminEmail,
        desiredDeliveryMediums: ['EMAIL'],
        userAttributes: [
          { name: 'email', value: props.adminEmail },
          { name: 'email_verified', value: 'true' },
        ],
      });
    new CfnOutput(this, 'SignInIssuer', {
      value: this.userPool.userPoolProviderUrl,
      description: 'The OpenID Connect issuer of staff sign-in',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'FailedEventsQueueUrl', { value: this.failedEvents.queueUrl });
  }
}
