/**
 * `MtlsBaseline`: the namespace every other RSPP construct lives in, and its security baseline.
 *
 * - the Namespace, labelled Pod Security `restricted` (enforce, audit, warn), with a ResourceQuota
 *   and a LimitRange (RSPP-NS-001/002);
 * - cert-manager issuers: a self-signed bootstrap that signs a namespace CA, then a CA Issuer; or a
 *   CA Issuer backed by an external root keypair (`caSecretName`, declared external);
 * - `issueCertificate(...)`: one Certificate per component with rotation (duration, renewBefore,
 *   a fresh private key on every renewal);
 * - default-deny NetworkPolicies for ingress and egress, DNS egress, and the flow registry
 *   (`flows`) from which every other allow rule is generated (RSPP-NET-001/002).
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { TlsEnvConfig } from '../envs/environment-config';
import { assertObjectName, isDnsLabel } from './common/kubernetes-names';
import { PLATFORM_VERSION, recommendedLabels } from './common/labels';
import { dnsEgressRule, DnsResolvers } from './common/network-policy';
import { isPositiveQuantity } from './common/quantities';
import { Certificate, CertificateUsage, Issuer, IssuerReference } from './crds/cert-manager';
import { NetworkFlows } from './network-flows';
import { declareExternalRefs } from './policy/external-refs';

/** Pod Security admission labels (Kubernetes ≥1.25). */
export const POD_SECURITY_LABELS = {
  enforce: 'pod-security.kubernetes.io/enforce',
  enforceVersion: 'pod-security.kubernetes.io/enforce-version',
  audit: 'pod-security.kubernetes.io/audit',
  warn: 'pod-security.kubernetes.io/warn',
} as const;

/** Pod Security `restricted` on enforce (latest), audit and warn (manifest-policy RSPP-NS-001). */
export const RESTRICTED_POD_SECURITY: Readonly<Record<string, string>> = {
  [POD_SECURITY_LABELS.enforce]: 'restricted',
  [POD_SECURITY_LABELS.enforceVersion]: 'latest',
  [POD_SECURITY_LABELS.audit]: 'restricted',
  [POD_SECURITY_LABELS.warn]: 'restricted',
};

const GO_DURATION = /^([0-9]+h)?([0-9]+m)?([0-9]+s)?$/;

/** Namespace-wide ceilings (ResourceQuota `spec.hard`). */
export interface NamespaceQuota {
  /** @default '16' */
  readonly requestsCpu?: string;
  /** @default '32Gi' */
  readonly requestsMemory?: string;
  /** @default '48Gi' */
  readonly limitsMemory?: string;
  /** @default 60 */
  readonly pods?: number;
  /** @default 10 */
  readonly persistentVolumeClaims?: number;
  /** @default '200Gi' */
  readonly requestsStorage?: string;
}

/** Per-container defaults (LimitRange) for containers that declare none. RSPP's own containers always declare theirs. */
export interface ContainerDefaults {
  /** @default '100m' */
  readonly cpuRequest?: string;
  /** @default '128Mi' */
  readonly memoryRequest?: string;
  /** @default '256Mi' */
  readonly memoryLimit?: string;
}

export interface MtlsBaselineProps {
  /** The platform namespace, created by this construct. */
  readonly namespace: string;
  /**
   * `app.kubernetes.io/instance` of every object of the platform (constructs built on this baseline inherit it).
   * @default - the namespace name
   */
  readonly instance?: string;
  /**
   * `app.kubernetes.io/version` of every object of the platform.
   * @default PLATFORM_VERSION
   */
  readonly version?: string;
  /**
   * `self-signed-ca`: a self-signed Issuer bootstraps a namespace CA (dev).
   * `ca-issuer`: a CA Issuer; with `caSecretName` it signs with an external root keypair, otherwise the
   * CA is bootstrapped as for `self-signed-ca` (stage/prod).
   * @default 'self-signed-ca'
   */
  readonly issuer?: TlsEnvConfig['issuer'];
  /**
   * Existing Secret (`tls.crt`, `tls.key`) holding the CA keypair; `ca-issuer` only. Declared external.
   * @default - bootstrap a CA in the namespace
   */
  readonly caSecretName?: string;
  /**
   * Lifetime of component certificates (Go duration).
   * @default '2160h' (90 days)
   */
  readonly certificateDuration?: string;
  /**
   * Renew this long before expiry (Go duration); must be shorter than `certificateDuration`.
   * @default '360h' (15 days)
   */
  readonly renewBefore?: string;
  /** @default - see `NamespaceQuota` */
  readonly quota?: NamespaceQuota;
  /**
   * Where DNS is answered: every pod of the namespace may reach these on 53/UDP+TCP.
   * @default CLUSTER_DNS_ONLY (kube-dns pods)
   */
  readonly dns?: DnsResolvers;
  /** @default - see `ContainerDefaults` */
  readonly containerDefaults?: ContainerDefaults;
  /**
   * Cluster DNS domain, used in certificate DNS names.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** What a component's certificate is for. */
export interface CertificateRequestOptions {
  /** Component the certificate identifies (`runtime`, `control-plane`, `etcd-peer`, ...): label and default names. */
  readonly component: string;
  /** Subject alternative names. At least one, unless `commonName` is set (client-only identities). */
  readonly dnsNames?: readonly string[];
  /** @default - the first DNS name */
  readonly commonName?: string;
  /** @default ['digital signature', 'key encipherment', 'server auth', 'client auth'] */
  readonly usages?: readonly CertificateUsage[];
  /** @default `${component}-tls` */
  readonly secretName?: string;
}

/** A certificate issued by the baseline: the Secret a workload mounts (`ca.crt`, `tls.crt`, `tls.key`). */
export interface IssuedCertificate {
  readonly component: string;
  readonly secretName: string;
  readonly certificate: Certificate;
}

/**
 * A Namespace is cluster-scoped, but a Chart with a `namespace` stamps it on every object; drop it
 * here so the manifest says what the API server will store.
 */
class ClusterScopedNamespace extends k8s.KubeNamespace {
  public override toJson(): any {
    const json = super.toJson();
    if (json.metadata) delete json.metadata.namespace;
    return json;
  }
}

const parseGoDuration = (d: string): number => {
  const m = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/.exec(d)!;
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0));
};

export class MtlsBaseline extends Construct {
  /** The platform namespace. */
  public readonly namespace: string;
  public readonly instance: string;
  public readonly version: string;
  public readonly clusterDomain: string;
  /** The flow registry: declare allowed connections here; policies are generated on both ends. */
  public readonly flows: NetworkFlows;
  /** Issuer every component certificate is signed by. */
  public readonly issuerRef: IssuerReference;
  /** Secret holding the CA keypair the issuer signs with (bootstrapped or external). */
  public readonly caSecretName: string;
  /** True when `caSecretName` is an external Secret (not created by cert-manager here). */
  public readonly caSecretIsExternal: boolean;
  public readonly namespaceObject: k8s.KubeNamespace;

  private readonly certificateDuration: string;
  private readonly renewBefore: string;
  private readonly issued = new Map<string, IssuedCertificate>();

  public constructor(scope: Construct, id: string, props: MtlsBaselineProps) {
    super(scope, id);
    const where = `MtlsBaseline(${id})`;
    if (!isDnsLabel(props.namespace)) {
      throw new Error(`${where}: props.namespace ${JSON.stringify(props.namespace)} is not a DNS label (lowercase letters, digits, '-', at most 63)`);
    }
    const issuerMode = props.issuer ?? 'self-signed-ca';
    if (issuerMode !== 'self-signed-ca' && issuerMode !== 'ca-issuer') {
      throw new Error(`${where}: props.issuer must be 'self-signed-ca' or 'ca-issuer', got ${JSON.stringify(issuerMode)}`);
    }
    if (props.caSecretName !== undefined) {
      if (issuerMode !== 'ca-issuer') {
        throw new Error(`${where}: props.caSecretName is only used with props.issuer 'ca-issuer' (got '${issuerMode}'); remove it or switch the issuer`);
      }
      assertObjectName(where, 'caSecretName', props.caSecretName, 253);
    }
    this.certificateDuration = props.certificateDuration ?? '2160h';
    this.renewBefore = props.renewBefore ?? '360h';
    for (const [prop, value] of [['certificateDuration', this.certificateDuration], ['renewBefore', this.renewBefore]] as const) {
      if (value === '' || !GO_DURATION.test(value)) throw new Error(`${where}: props.${prop} ${JSON.stringify(value)} is not a Go duration (e.g. 2160h, 90m)`);
    }
    if (parseGoDuration(this.certificateDuration) < 3600) {
      throw new Error(`${where}: props.certificateDuration ${this.certificateDuration} is below cert-manager's minimum of 1h`);
    }
    if (parseGoDuration(this.renewBefore) >= parseGoDuration(this.certificateDuration)) {
      throw new Error(`${where}: props.renewBefore (${this.renewBefore}) must be shorter than props.certificateDuration (${this.certificateDuration})`);
    }

    this.namespace = props.namespace;
    this.instance = props.instance ?? props.namespace;
    this.version = props.version ?? PLATFORM_VERSION;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    const labels = this.labelsFor('baseline', where);
    const ns = this.namespace;

    this.namespaceObject = new ClusterScopedNamespace(this, 'namespace', {
      metadata: {
        name: ns,
        labels: { ...labels, ...RESTRICTED_POD_SECURITY },
      },
    });

    const q = props.quota ?? {};
    const hard: Record<string, string> = {
      'requests.cpu': q.requestsCpu ?? '16',
      'requests.memory': q.requestsMemory ?? '32Gi',
      'limits.memory': q.limitsMemory ?? '48Gi',
      'requests.storage': q.requestsStorage ?? '200Gi',
    };
    for (const [key, value] of Object.entries(hard)) {
      if (!isPositiveQuantity(value)) throw new Error(`${where}: props.quota (${key}) ${JSON.stringify(value)} is not a positive Kubernetes quantity`);
    }
    const counts = { pods: q.pods ?? 60, persistentvolumeclaims: q.persistentVolumeClaims ?? 10 };
    for (const [key, value] of Object.entries(counts)) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${where}: props.quota (${key}) must be a positive integer, got ${value}`);
    }
    new k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: 'rspp-quota', namespace: ns, labels },
      spec: {
        hard: Object.fromEntries([
          ...Object.entries(hard).map(([k, v]) => [k, k8s.Quantity.fromString(v)]),
          ...Object.entries(counts).map(([k, v]) => [k, k8s.Quantity.fromNumber(v)]),
        ]),
      },
    });

    const d = props.containerDefaults ?? {};
    const defaults = { cpuRequest: d.cpuRequest ?? '100m', memoryRequest: d.memoryRequest ?? '128Mi', memoryLimit: d.memoryLimit ?? '256Mi' };
    for (const [key, value] of Object.entries(defaults)) {
      if (!isPositiveQuantity(value)) throw new Error(`${where}: props.containerDefaults.${key} ${JSON.stringify(value)} is not a positive Kubernetes quantity`);
    }
    new k8s.KubeLimitRange(this, 'limits', {
      metadata: { name: 'rspp-container-defaults', namespace: ns, labels },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString(defaults.cpuRequest), memory: k8s.Quantity.fromString(defaults.memoryRequest) },
          default: { memory: k8s.Quantity.fromString(defaults.memoryLimit) },
        }],
      },
    });

    // Network: deny everything, then allow DNS and the declared flows only.
    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny-all', namespace: ns, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'allow-dns', {
      metadata: { name: 'allow-egress-dns', namespace: ns, labels },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [dnsEgressRule(props.dns)] },
    });
    this.flows = new NetworkFlows(this, 'flows', { namespace: ns, labels: this.labelsFor('network', where) });

    // Issuers. A self-signed Issuer only ever signs the namespace CA; components are signed by the CA Issuer.
    const caIssuerName = 'rspp-ca';
    if (props.caSecretName !== undefined) {
      this.caSecretName = props.caSecretName;
      this.caSecretIsExternal = true;
    } else {
      this.caSecretName = 'rspp-ca-keypair';
      this.caSecretIsExternal = false;
      const bootstrap = new Issuer(this, 'selfsigned-issuer', {
        metadata: { name: 'rspp-selfsigned', namespace: ns, labels },
        spec: { selfSigned: {} },
      });
      new Certificate(this, 'ca-certificate', {
        metadata: { name: 'rspp-ca', namespace: ns, labels },
        spec: {
          isCA: true,
          commonName: `rspp-ca.${ns}`,
          secretName: this.caSecretName,
          // The CA outlives the certificates it signs by a wide margin. Its renewal keeps the key
          // (rotationPolicy Never): a new CA key would make every peer distrust certificates signed by the
          // old one until all are re-issued. Component certificates rotate their keys on every renewal.
          duration: '87600h',
          renewBefore: '8760h',
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
          issuerRef: { name: bootstrap.name, kind: 'Issuer' },
          secretTemplate: { labels },
        },
      });
    }
    const caIssuer = new Issuer(this, 'ca-issuer', {
      metadata: { name: caIssuerName, namespace: ns, labels },
      spec: { ca: { secretName: this.caSecretName } },
    });
    if (this.caSecretIsExternal) declareExternalRefs(caIssuer, [{ kind: 'Secret', name: this.caSecretName }]);
    this.issuerRef = { name: caIssuerName, kind: 'Issuer', group: 'cert-manager.io' };
  }

  /** The six recommended labels for an object of `component` on this platform. */
  public labelsFor(component: string, where = `MtlsBaseline(${this.node.id})`, name = `rspp-${component}`): Record<string, string> {
    return recommendedLabels({ name, instance: this.instance, version: this.version, component }, where);
  }

  /** DNS names of a Service in this namespace: short, namespaced and fully qualified; optionally every pod behind a headless Service. */
  public serviceDnsNames(serviceName: string, options: { readonly includePods?: boolean } = {}): string[] {
    const bases = [serviceName, `${serviceName}.${this.namespace}`, `${serviceName}.${this.namespace}.svc`, `${serviceName}.${this.namespace}.svc.${this.clusterDomain}`];
    return options.includePods ? [...bases, ...bases.slice(2).map((b) => `*.${b}`)] : bases;
  }

  /**
   * Issue one Certificate, signed by the platform CA, rotated on the baseline's policy with a new key
   * every time. One per component: asking twice for the same component is an error.
   */
  public issueCertificate(options: CertificateRequestOptions): IssuedCertificate {
    const where = `MtlsBaseline.issueCertificate(${options.component})`;
    if (!isDnsLabel(options.component)) throw new Error(`${where}: component must be a DNS label`);
    if (this.issued.has(options.component)) {
      throw new Error(`${where}: a certificate for this component is already issued (secret "${this.issued.get(options.component)!.secretName}"); reuse it`);
    }
    const dnsNames = options.dnsNames ?? [];
    if (dnsNames.length === 0 && options.commonName === undefined) throw new Error(`${where}: dnsNames must name at least one host (or set commonName for a client-only identity)`);
    const secretName = options.secretName ?? `${options.component}-tls`;
    assertObjectName(where, 'secretName', secretName, 253);
    const labels = this.labelsFor(options.component, where);
    const certificate = new Certificate(this, `certificate-${options.component}`, {
      metadata: { name: options.component, namespace: this.namespace, labels },
      spec: {
        secretName,
        commonName: options.commonName ?? dnsNames[0],
        ...(dnsNames.length > 0 ? { dnsNames: [...dnsNames] } : {}),
        duration: this.certificateDuration,
        renewBefore: this.renewBefore,
        usages: [...(options.usages ?? ['digital signature', 'key encipherment', 'server auth', 'client auth'])],
        privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
        issuerRef: this.issuerRef,
        secretTemplate: { labels },
      },
    });
    const issued: IssuedCertificate = { component: options.component, secretName, certificate };
    this.issued.set(options.component, issued);
    return issued;
  }

  /** Certificates issued so far, by component. */
  public get certificates(): readonly IssuedCertificate[] {
    return [...this.issued.values()];
  }

  /** The certificate issued for `component`, if any. */
  public certificateFor(component: string): IssuedCertificate | undefined {
    return this.issued.get(component);
  }
}

