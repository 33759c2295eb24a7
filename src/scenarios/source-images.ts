import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from './prng.ts';

/** Bump when the generator changes, so stale cached files are not reused. */
const GENERATOR_VERSION = 1;

/** Where generated source JPEGs are kept between runs (shared by every thread and process). */
export const SOURCE_IMAGE_DIR = join(tmpdir(), 'concurrency-lab', 'images');

const inMemory = new Map<number, Promise<Buffer>>();

/** Height for a source image of the given width: the 4:3 of a camera photo. */
export function heightFor(width: number): number {
  return Math.round((width * 3) / 4);
}

/**
 * Pixels that look like a photo to a JPEG codec: smooth gradients with seeded low-amplitude
 * noise (pure noise would compress badly and decode unlike real images).
 */
function photoLikePixels(width: number, height: number): Buffer {
  const random = mulberry32(width * 7919 + height);
  const pixels = Buffer.alloc(width * height * 3);
  let offset = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      const noise = (random() - 0.5) * 24;
      pixels[offset++] = 128 + 100 * Math.sin(6 * u + 2 * v) + noise;
      pixels[offset++] = 128 + 100 * Math.cos(4 * v - 3 * u) + noise;
      pixels[offset++] = 128 + 90 * Math.sin(9 * u * v + 1) + noise;
    }
  }
  return pixels;
}

async function loadOrGenerate(width: number): Promise<Buffer> {
  const height = heightFor(width);
  const path = join(SOURCE_IMAGE_DIR, `source-v${GENERATOR_VERSION}-${width}x${height}.jpg`);
  try {
    return await readFile(path);
  } catch {
    const jpeg = await sharp(photoLikePixels(width, height), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    await mkdir(SOURCE_IMAGE_DIR, { recursive: true });
    // Write then rename, so a thread or process starting at the same moment never reads half a file.
    const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
    await writeFile(partial, jpeg);
    await rename(partial, path);
    return jpeg;
  }
}

/** The deterministic source JPEG of the given width, generated on first use and cached on disk and in memory. */
export function sourceImage(width: number): Promise<Buffer> {
  let image = inMemory.get(width);
  if (image === undefined) {
    image = loadOrGenerate(width);
    inMemory.set(width, image);
    image.catch(() => inMemory.delete(width));
  }
  return image;
}
