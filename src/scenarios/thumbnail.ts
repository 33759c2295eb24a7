import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Scenario } from './scenario.ts';
import { heightFor, sourceImage } from './source-images.ts';

export interface ThumbnailResult {
  sourceWidth: number;
  sourceHeight: number;
  width: number;
  height: number;
  bytes: number;
  /** sha256 of the encoded thumbnail: identical on every strategy for the same input. */
  sha256: string;
}

/** Edge of the bounding box, as in the talk's example (Pillow's `thumbnail((75, 75))`). */
const THUMBNAIL_EDGE_PX = 75;

// libvips' operation cache would let a repeated job reuse the previous job's work and make
// the measurement dishonest; every job decodes and resizes for real.
sharp.cache(false);
// One libvips thread per operation, as sharp itself chooses on glibc when MALLOC_ARENA_MAX is
// unset; `npm start` and the image set MALLOC_ARENA_MAX=2 (README, Soak), which would make sharp
// use every core instead and change what the thumbnail cells measure.
sharp.concurrency(1);

export const thumbnail: Scenario<ThumbnailResult> = {
  name: 'thumbnail',
  kind: 'cpu',
  description: 'Decode a JPEG, fit it into 75×75 and encode it with sharp (libvips, native code).',
  size: { min: 80, max: 4096, default: 1600, unit: 'source width in pixels (4:3)' },
  async run(width) {
    const source = await sourceImage(width);
    // fit 'inside' keeps the aspect ratio like Pillow's thumbnail(); JPEG shrink-on-load
    // lets libvips decode at 1/2, 1/4 or 1/8 scale instead of the full image. Checked for
    // 1600×1200 → 75×56 (issue 11): VIPS_INFO=1 logs "residual reducev by 0.375", i.e. libjpeg
    // decodes at 1/8 (200×150) as Pillow's draft() does, and only a 200→75 reduce is left.
    // Neither the kernel (lanczos3 vs linear), optimiseCoding nor sequentialRead changed CPU
    // per thumbnail measurably: the JPEG entropy decode dominates on both sides, with about the
    // same instruction count (callgrind: 31 M for sharp's mozjpeg, 32.5 M for Pillow's libjpeg-turbo).
    const { data, info } = await sharp(source)
      .resize(THUMBNAIL_EDGE_PX, THUMBNAIL_EDGE_PX, { fit: 'inside' })
      .jpeg({ quality: 85 })
      .toBuffer({ resolveWithObject: true });
    return {
      sourceWidth: width,
      sourceHeight: heightFor(width),
      width: info.width,
      height: info.height,
      bytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  },
};
