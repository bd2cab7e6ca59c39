import { CfnOutput, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { CONSOLE_DIST } from '../local/console.ts';

/**
 * The console on AWS: its built files in a private bucket behind CloudFront, and the HTTP API
 * behind the same distribution, so the console and the API share one origin (no CORS). /console/*
 * is the bucket (a path without a file extension is the page: deep links); everything else is the API.
 */
export class ConsoleSite extends Construct {
  readonly distribution: Distribution;
  readonly url: string;

  private readonly files: Bucket;

  /**
   * `connectSources`: the origins the page fetches from besides its own: the issuer (discovery, keys)
   * and its token endpoint. `apiDomain`: the API's own domain when it has one (its execute-api
   * endpoint is then switched off, and CloudFront reaches the API there).
   */
  constructor(scope: Construct, id: string, props: { api: HttpApi; connectSources: string[]; apiDomain?: string }) {
    super(scope, id);
    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER, // CloudFront's standard logs need ACLs
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(logs, [
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log bucket of the console and its distribution; logging it again would recurse.',
      },
    ]);
    this.files = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'console-files/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    const files = this.files;
    const deepLinks = new CloudFrontFunction(this, 'DeepLinks', {
      comment: 'Serves the console page for its deep links (paths without a file extension)',
      code: FunctionCode.fromInline(
        "function handler(event) { var r = event.request; if (!/\\.[a-z0-9]+$/.test(r.uri)) r.uri = '/console/index.html'; return r; }",
      ),
    });
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: `default-src 'self'; connect-src 'self' ${props.connectSources.join(' ')}; frame-ancestors 'none'`,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    // API answers through CloudFront carry the security headers a browser acts on; a link page's own CSP is kept.
    const apiHeaders = new ResponseHeadersPolicy(this, 'ApiHeaders', {
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'", override: false },
      },
    });
    const apiDomain = props.apiDomain ?? Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Steward: the console and the API on one origin',
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: new HttpOrigin(apiDomain),
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        responseHeadersPolicy: apiHeaders,
      },
      additionalBehaviors: {
        '/console/*': {
          origin: S3BucketOrigin.withOriginAccessControl(files),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headers,
          functionAssociations: [{ function: deepLinks, eventType: FunctionEventType.VIEWER_REQUEST }],
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    NagSuppressions.addResourceSuppressions(
      this.distribution,
      [
        { id: 'AwsSolutions-CFR1', reason: 'Staff sign in from anywhere; the API and the console authenticate every request.' },
        { id: 'AwsSolutions-CFR2', reason: 'The HTTP API behind it throttles per stage; a WAF web ACL can be attached per deployment.' },
        {
          id: 'AwsSolutions-CFR4',
          reason:
            "CloudFront's default certificate allows TLSv1 whatever the minimum set; a custom domain with its own certificate applies TLS 1.2.",
        },
      ],
      true,
    );
    new CfnOutput(Stack.of(this), 'ConsoleUrl', {
      value: `${this.url}/console/`,
      description: 'The console (and the API on the same origin)',
    });
  }

  /** Copies the built console in, with the config.json that tells it where to sign in. */
  publish(config: { issuer: string; clientId: string }): void {
    new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(CONSOLE_DIST, { exclude: ['.sources'] }), Source.jsonData('config.json', config)],
      destinationBucket: this.files,
      destinationKeyPrefix: 'console/',
      distribution: this.distribution,
      distributionPaths: ['/console/index.html', '/console/config.json'],
      prune: true,
    });
    this.suppressHelperFindings();
  }

  /** CDK's own helpers (copying the files in, emptying the bucket on delete) live at the stack's root. */
  private suppressHelperFindings(): void {
    for (const helper of Stack.of(this).node.children.filter((child) =>
      /^Custom::(CDKBucketDeployment|S3AutoDeleteObjects)/.test(child.node.id),
    ))
      NagSuppressions.addResourceSuppressions(
        helper,
        [
          { id: 'AwsSolutions-IAM4', reason: "CDK's deployment helpers log with AWSLambdaBasicExecutionRole." },
          { id: 'AwsSolutions-IAM5', reason: "CDK's BucketDeployment copies its asset's objects into the console bucket (bucket/*)." },
          { id: 'AwsSolutions-L1', reason: "CDK's deployment helpers pin their own Lambda runtime; CDK upgrades move it." },
        ],
        true,
      );
  }
}
