import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";

export interface DomainCertificateArgs {
  /** The host name the certificate covers, e.g. `pypi.example.com`. */
  readonly domainName: pulumi.Input<string>;
  /** The Route 53 hosted zone that holds `domainName`; the DNS validation record is written there. */
  readonly hostedZoneId: pulumi.Input<string>;
}

/**
 * An ACM certificate for a CloudFront distribution: requested in us-east-1, validated through a
 * DNS record in the domain's Route 53 zone. `certificateArn` resolves only once ACM has issued the
 * certificate, so a distribution that uses it never references a pending certificate.
 */
export class DomainCertificate extends pulumi.ComponentResource {
  /** ARN of the issued certificate. */
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: DomainCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("python-package-index:edge:DomainCertificate", name, {}, opts);

    const certificate = new aws.acm.Certificate(
      name,
      {
        region: CLOUDFRONT_REGION,
        domainName: args.domainName,
        validationMethod: "DNS",
        keyAlgorithm: "RSA_2048",
      },
      { parent: this },
    );
    const validationOption = certificate.domainValidationOptions[0];
    const validationRecord = new aws.route53.Record(
      `${name}-validation`,
      {
        zoneId: args.hostedZoneId,
        name: validationOption.resourceRecordName,
        type: validationOption.resourceRecordType,
        records: [validationOption.resourceRecordValue],
        ttl: 300,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-validation`,
      {
        region: CLOUDFRONT_REGION,
        certificateArn: certificate.arn,
        validationRecordFqdns: [validationRecord.fqdn],
      },
      { parent: this },
    );

    this.certificateArn = validation.certificateArn;
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}
