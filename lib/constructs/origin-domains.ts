/**
 * With a custom domain (StageConfig.customDomain): API Gateway custom domains for both APIs, which
 * CloudFront uses as its origins, so both APIs can turn their execute-api endpoints off, and the
 * DNS records: the origins' aliases to API Gateway and the public name's alias to CloudFront.
 */
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { originHosts, type CustomDomain } from '../config.ts';

export interface OriginDomainsProps {
  domain: CustomDomain;
  httpStage: apigw.IHttpStage;
  webSocketStage: apigw.IWebSocketStage;
  /** The WebSocket stage is mapped under its own name, so `/ws` means the same on every host. */
  webSocketStageName: string;
}

export class OriginDomains extends Construct {
  readonly zone: route53.IHostedZone;

  constructor(scope: Construct, id: string, props: OriginDomainsProps) {
    super(scope, id);
    const { domain } = props;
    const hosts = originHosts(domain);
    this.zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.zoneName,
    });
    const certificate = acm.Certificate.fromCertificateArn(this, 'OriginCertificate', domain.originCertificateArn);
    const origin = (originId: string, domainName: string) => {
      const name = new apigw.DomainName(this, `${originId}Domain`, {
        domainName,
        certificate,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
      new route53.ARecord(this, `${originId}Record`, {
        zone: this.zone,
        recordName: domainName,
        target: route53.RecordTarget.fromAlias(
          new targets.ApiGatewayv2DomainProperties(name.regionalDomainName, name.regionalHostedZoneId),
        ),
      });
      return name;
    };
    new apigw.ApiMapping(this, 'HttpMapping', {
      api: props.httpStage.api,
      stage: props.httpStage,
      domainName: origin('Http', hosts.http),
    });
    new apigw.ApiMapping(this, 'WebSocketMapping', {
      api: props.webSocketStage.api,
      stage: props.webSocketStage,
      domainName: origin('WebSocket', hosts.ws),
      apiMappingKey: props.webSocketStageName,
    });
  }

  /** The public name, pointed at the distribution: IPv4 and (the distribution has IPv6 on) IPv6. */
  aliasDistribution(domain: CustomDomain, distribution: cloudfront.IDistribution): void {
    const alias = {
      zone: this.zone,
      recordName: domain.name,
      target: route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution)),
    };
    new route53.ARecord(this, 'PublicRecord', alias);
    new route53.AaaaRecord(this, 'PublicRecordIpv6', alias);
  }
}
