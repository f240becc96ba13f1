/**
 * Writes an OCI image layout (image-spec v1.1: `oci-layout`, `index.json`, `blobs/sha256/`) from
 * gzipped layers and an image config. JSON documents are canonical (sorted keys, no whitespace),
 * so their digests depend only on their content.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCanonical } from '../contracts/v1/canonical-json';

export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface LayoutLayer {
  /** The gzipped tar. */
  readonly blob: Buffer;
}

export interface WrittenLayout {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/**
 * Writes blobs, manifest, index and `oci-layout` into `dir` (which must be empty or absent).
 * @param refName the `org.opencontainers.image.ref.name` of the manifest in index.json (the tag).
 */
export function writeOciLayout(
  dir: string,
  layers: readonly LayoutLayer[],
  config: Record<string, unknown>,
  refName: string,
  manifestAnnotations: Readonly<Record<string, string>> = {},
): WrittenLayout {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer | string): string => {
    const digest = sha256Digest(data);
    writeFileSync(join(blobs, digest.slice('sha256:'.length)), data);
    return digest;
  };
  const layerDescriptors = layers.map((layer) => ({ mediaType: MEDIA_TYPES.layerGzip, digest: put(layer.blob), size: layer.blob.length }));
  const configJson = encodeCanonical(config);
  const configDescriptor: Descriptor = { mediaType: MEDIA_TYPES.config, digest: put(configJson), size: Buffer.byteLength(configJson) };
  const manifestJson = encodeCanonical({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: configDescriptor,
    layers: layerDescriptors,
    ...(Object.keys(manifestAnnotations).length > 0 ? { annotations: manifestAnnotations } : {}),
  });
  const manifestDescriptor: Descriptor = { mediaType: MEDIA_TYPES.manifest, digest: put(manifestJson), size: Buffer.byteLength(manifestJson) };
  writeFileSync(
    join(dir, 'index.json'),
    encodeCanonical({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [{ ...manifestDescriptor, annotations: { 'org.opencontainers.image.ref.name': refName } }],
    }),
  );
  writeFileSync(join(dir, 'oci-layout'), encodeCanonical({ imageLayoutVersion: '1.0.0' }));
  return { manifest: manifestDescriptor, config: configDescriptor, layers: layerDescriptors };
}
