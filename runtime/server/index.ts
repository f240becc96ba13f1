/**
 * `runtime/server`: the RSPP session server (WebSocket sessions, probes, metrics, authority lease,
 * drain) and the client side of its wire protocol. See README.md.
 */
export { RuntimeServer, leaseStoreFromConfig, type RuntimeServerProps, type DrainReport } from './runtime-server';
export { main, type MainOptions } from './main';
export { loadServerConfig, DEFAULT_SERVER_CONFIG, ServerConfigError, TURN_START_MODES, type ServerConfig, type LeaseStoreKind, type TurnStartMode } from './config/server-config';
export { SESSION_PROTOCOL, CLOSE_CODES, MAX_BATCH_EVENTS, type WireError, type WireErrorCode, type SessionHello } from './session/wire-protocol';
export { EGRESS_HIGH_WATER_BYTES, EGRESS_LOW_WATER_BYTES } from './session/session-connection';
export { SessionClient, SessionRefusedError, type ServerFrame, type ServerOutput, type SessionCloseInfo } from './client/session-client';
export { SessionEnvelopes } from './client/session-envelopes';
export { MemoryEvidenceSink, JsonlEvidenceSink, type EvidenceSink } from './evidence/evidence-sink';
export { JsonLineLogger, silentLogger, type ServerLogger, type LogLevel } from './logging/server-logger';
export { RuntimeMetrics } from './metrics/runtime-metrics';
export { MetricsRegistry, Counter, Gauge, Histogram, LATENCY_BUCKETS_SECONDS, PROMETHEUS_CONTENT_TYPE } from './metrics/metrics-registry';
