/**
 * Typed cert-manager custom resources (cert-manager.io/v1): Issuer, ClusterIssuer, Certificate.
 *
 * Only the fields the platform sets are typed; each class is a thin `ApiObject` so the object is
 * synthesized like any other, and tests validate the output against the upstream CRD schemas
 * (`@kubernetes-models/cert-manager`).
 */
import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';

export const CERT_MANAGER_API_VERSION = 'cert-manager.io/v1';

/** Private key usages cert-manager accepts (subset used by mTLS workloads). */
export type CertificateUsage =
  | 'digital signature'
  | 'key encipherment'
  | 'server auth'
  | 'client auth'
  | 'cert sign';

/** How an issuer signs: bootstrap self-signed, or from a CA keypair held in a Secret. */
export interface IssuerSpec {
  /** Self-signed: used only to sign the bootstrap CA certificate. */
  readonly selfSigned?: Record<string, never>;
  /** CA issuer: signs with the keypair in `secretName` (`tls.crt`, `tls.key`). */
  readonly ca?: { readonly secretName: string };
}

export interface IssuerReference {
  readonly name: string;
  /** @default 'Issuer' */
  readonly kind?: 'Issuer' | 'ClusterIssuer';
  /** @default 'cert-manager.io' */
  readonly group?: 'cert-manager.io';
}

export interface CertificatePrivateKey {
  readonly algorithm: 'ECDSA' | 'RSA' | 'Ed25519';
  readonly size?: number;
  readonly encoding?: 'PKCS1' | 'PKCS8';
  /** `Always`: a new key on every re-issuance (rotation), not only the certificate. */
  readonly rotationPolicy: 'Always' | 'Never';
}

export interface CertificateSpec {
  /** Secret the signed keypair is written to (`tls.crt`, `tls.key`, `ca.crt`). */
  readonly secretName: string;
  readonly issuerRef: IssuerReference;
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  /** Go duration, e.g. `2160h`. */
  readonly duration?: string;
  /** Go duration, e.g. `360h`. */
  readonly renewBefore?: string;
  readonly isCA?: boolean;
  readonly usages?: readonly CertificateUsage[];
  readonly privateKey?: CertificatePrivateKey;
  /** Labels/annotations copied onto the generated Secret. */
  readonly secretTemplate?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
}

export interface IssuerProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: IssuerSpec;
}

export interface CertificateProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: CertificateSpec;
}

function checkIssuerSpec(kind: string, spec: IssuerSpec): void {
  const modes = [spec.selfSigned, spec.ca].filter((m) => m !== undefined).length;
  if (modes !== 1) {
    throw new Error(`${kind}.spec: set exactly one of "selfSigned" or "ca" (got ${modes})`);
  }
}

/** cert-manager `Issuer` (namespaced). */
export class Issuer extends ApiObject {
  public static readonly GVK = { apiVersion: CERT_MANAGER_API_VERSION, kind: 'Issuer' } as const;
  public constructor(scope: Construct, id: string, props: IssuerProps) {
    checkIssuerSpec('Issuer', props.spec);
    super(scope, id, { ...Issuer.GVK, metadata: props.metadata, spec: props.spec });
  }
}

/** cert-manager `ClusterIssuer` (cluster-scoped; for platform teams that share one CA across namespaces). */
export class ClusterIssuer extends ApiObject {
  public static readonly GVK = { apiVersion: CERT_MANAGER_API_VERSION, kind: 'ClusterIssuer' } as const;
  public constructor(scope: Construct, id: string, props: IssuerProps) {
    checkIssuerSpec('ClusterIssuer', props.spec);
    super(scope, id, { ...ClusterIssuer.GVK, metadata: props.metadata, spec: props.spec });
  }
}

/** cert-manager `Certificate`. */
export class Certificate extends ApiObject {
  public static readonly GVK = { apiVersion: CERT_MANAGER_API_VERSION, kind: 'Certificate' } as const;
  /** Name of the Secret cert-manager writes the keypair to. */
  public readonly secretName: string;
  public constructor(scope: Construct, id: string, props: CertificateProps) {
    if (!props.spec.isCA && (props.spec.dnsNames ?? []).length === 0 && !props.spec.commonName) {
      throw new Error(`Certificate "${id}": spec.dnsNames or spec.commonName is required`);
    }
    super(scope, id, {
      ...Certificate.GVK,
      metadata: props.metadata,
      spec: { ...props.spec, issuerRef: { group: 'cert-manager.io', kind: 'Issuer', ...props.spec.issuerRef } },
    });
    this.secretName = props.spec.secretName;
  }
}
