import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";
import { HOSTED_ZONE_ID_PATTERN, HOST_NAME_PATTERN } from "../domain/dns";
import { Tags, checkTags, tagged } from "./tags";

/** Throws if a plain host name or zone id is malformed (Inputs are AWS's to check). */
export function checkDomain(
  context: string,
  field: string,
  domain: { readonly name: pulumi.Input<string>; readonly hostedZoneId: pulumi.Input<string> },
): void {
  if (typeof domain.name === "string" && !HOST_NAME_PATTERN.test(domain.name))
    throw new Error(
      `${context}: ${field} name ${JSON.stringify(domain.name)} is not a lowercase DNS host name such as pypi.example.com.`,
    );
  if (typeof domain.hostedZoneId === "string" && !HOSTED_ZONE_ID_PATTERN.test(domain.hostedZoneId))
    throw new Error(
      `${context}: ${field} hostedZoneId ${JSON.stringify(domain.hostedZoneId)} is not a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ.`,
    );
}

export interface DomainCertificateArgs {
  /** The host name the certificate covers, e.g. `pypi.example.com`. */
  readonly domainName: pulumi.Input<string>;
  /** The Route 53 hosted zone that holds `domainName`; the DNS validation record is written there. */
  readonly hostedZoneId: pulumi.Input<string>;
  /**
   * Tags of the certificate (records and the validation take none).
   * @default {}
   */
  readonly tags?: Tags;
}

/**
 * An ACM certificate for a CloudFront distribution: requested in us-east-1, validated through a
 * DNS record in the domain's Route 53 zone. `certificateArn` resolves only once ACM has issued the
 * certificate, so a distribution that uses it never references a pending certificate.
 */
export class DomainCertificate extends pulumi.ComponentResource {
  readonly certificate: aws.acm.Certificate;
  /** The CNAME that proves control of the domain to ACM. */
  readonly validationRecord: aws.route53.Record;
  /** ARN of the issued certificate. */
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: DomainCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    const context = `DomainCertificate ${name}`;
    checkDomain(context, "domain", { name: args.domainName, hostedZoneId: args.hostedZoneId });
    checkTags(context, args.tags);
    super("python-package-index:edge:DomainCertificate", name, {}, opts);

    this.certificate = new aws.acm.Certificate(
      name,
      {
        region: CLOUDFRONT_REGION,
        domainName: args.domainName,
        validationMethod: "DNS",
        keyAlgorithm: "RSA_2048",
        ...tagged(args.tags),
      },
      { parent: this },
    );
    const validationOption = this.certificate.domainValidationOptions[0];
    this.validationRecord = new aws.route53.Record(
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
        certificateArn: this.certificate.arn,
        validationRecordFqdns: [this.validationRecord.fqdn],
      },
      { parent: this },
    );

    this.certificateArn = validation.certificateArn;
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}
