/**
 * Writes a multi-platform OCI image layout (image-spec v1.1: `oci-layout`, `index.json`, `blobs/sha256/`)
 * from gzipped layers and an image config per platform. JSON documents are canonical (sorted keys, no whitespace),
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

export interface LayoutImage {
  readonly platform: { readonly os: 'linux'; readonly architecture: string };
  readonly layers: readonly LayoutLayer[];
  readonly config: Record<string, unknown>;
}

export interface WrittenImage {
  readonly platform: LayoutImage['platform'];
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface WrittenLayout {
  /** The image index over every platform (what a multi-platform pin names). */
  readonly index: Descriptor;
  readonly images: readonly WrittenImage[];
}

/**
 * Writes blobs (shared layers stored once), one manifest per platform, an image index over them
 * (a blob, so it has a digest to pin) and `index.json` + `oci-layout` into `dir` (empty or absent).
 * @param refName the `org.opencontainers.image.ref.name` of the image index in index.json (the tag).
 */
export function writeOciLayout(
  dir: string,
  images: readonly LayoutImage[],
  refName: string,
  annotations: Readonly<Record<string, string>> = {},
): WrittenLayout {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer | string): string => {
    const digest = sha256Digest(data);
    writeFileSync(join(blobs, digest.slice('sha256:'.length)), data);
    return digest;
  };
  const withAnnotations = Object.keys(annotations).length > 0 ? { annotations } : {};
  const written = images.map((image): WrittenImage => {
    const layers = image.layers.map((layer) => ({ mediaType: MEDIA_TYPES.layerGzip, digest: put(layer.blob), size: layer.blob.length }));
    const configJson = encodeCanonical(image.config);
    const config: Descriptor = { mediaType: MEDIA_TYPES.config, digest: put(configJson), size: Buffer.byteLength(configJson) };
    const manifestJson = encodeCanonical({ schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config, layers, ...withAnnotations });
    const manifest: Descriptor = { mediaType: MEDIA_TYPES.manifest, digest: put(manifestJson), size: Buffer.byteLength(manifestJson) };
    return { platform: image.platform, manifest, config, layers };
  });
  const indexJson = encodeCanonical({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: written.map((w) => ({ ...w.manifest, platform: w.platform })),
    ...withAnnotations,
  });
  const index: Descriptor = { mediaType: MEDIA_TYPES.index, digest: put(indexJson), size: Buffer.byteLength(indexJson) };
  writeFileSync(
    join(dir, 'index.json'),
    encodeCanonical({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': refName } }],
    }),
  );
  writeFileSync(join(dir, 'oci-layout'), encodeCanonical({ imageLayoutVersion: '1.0.0' }));
  return { index, images: written };
}
