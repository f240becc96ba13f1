/**
 * OpenTelemetry collector configuration for RSPP traces and metrics: OTLP in, memory-limited and
 * batched, resource-tagged with the environment, OTLP out to the configured backend.
 * The platform ships the configuration (a ConfigMap); the collector itself is installed by the
 * observability backend (Terraform stack), which mounts it.
 */
import { PART_OF } from '../../runtime/contracts/runtime-interface';

export interface OtelCollectorConfigOptions {
  /** `deployment.environment` resource attribute (e.g. `prod`). */
  readonly environment: string;
  /** OTLP/gRPC endpoint the collector exports to, `host:port`. */
  readonly exportEndpoint: string;
  /**
   * Directory holding `ca.crt`, `tls.crt`, `tls.key` for the export connection (mTLS).
   * @default - TLS with the system trust store, no client certificate
   */
  readonly exportTlsDir?: string;
  /**
   * Memory limit of the collector in MiB (the `memory_limiter` processor refuses data above it).
   * @default 400
   */
  readonly memoryLimitMiB?: number;
}

/** OTLP receiver ports (upstream defaults). */
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;

const HOST_PORT = /^[a-zA-Z0-9.-]+:[0-9]{1,5}$/;

export function otelCollectorConfig(options: OtelCollectorConfigOptions): Record<string, unknown> {
  if (!HOST_PORT.test(options.exportEndpoint)) {
    throw new Error(`otelCollectorConfig: exportEndpoint "${options.exportEndpoint}" must be host:port (OTLP/gRPC)`);
  }
  const limit = options.memoryLimitMiB ?? 400;
  if (!Number.isInteger(limit) || limit < 64) throw new Error(`otelCollectorConfig: memoryLimitMiB must be an integer >= 64 (got ${limit})`);
  const tls = options.exportTlsDir
    ? { ca_file: `${options.exportTlsDir}/ca.crt`, cert_file: `${options.exportTlsDir}/tls.crt`, key_file: `${options.exportTlsDir}/tls.key` }
    : { insecure: false };
  const processors = ['memory_limiter', 'resource', 'batch'];
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_mib: limit, spike_limit_mib: Math.floor(limit / 5) },
      resource: {
        attributes: [
          { key: 'deployment.environment', value: options.environment, action: 'upsert' },
          { key: 'service.namespace', value: PART_OF, action: 'upsert' },
        ],
      },
      batch: { timeout: '5s', send_batch_size: 8192 },
    },
    exporters: {
      otlp: { endpoint: options.exportEndpoint, tls },
    },
    extensions: { health_check: { endpoint: '0.0.0.0:13133' } },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp'], processors, exporters: ['otlp'] },
        metrics: { receivers: ['otlp'], processors, exporters: ['otlp'] },
      },
    },
  };
}
