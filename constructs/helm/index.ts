/** The Helm chart emitter: `rspp-platform` (+ `rspp-runtime` subchart) generated from the construct tree. */
export { emitHelmCharts, type EmitHelmChartsOptions, type EmittedHelmCharts } from './emit-helm-charts';
export { generateHelmCharts, platformChartDir, type ComputedField, type GeneratedHelmCharts } from './helm-chart-generator';
export { writeChartFiles } from './chart-files-writer';
export { HELM_TUNABLES, PLATFORM_CHART, RUNTIME_CHART, type ChartName, type HelmTunable } from './helm-tunables';
export type { PlacedTunable, ValueScope } from './helm-values';
export type { EnvChartBuilder, KubeObject, RuntimeScopePredicate } from './synthesized-objects';
