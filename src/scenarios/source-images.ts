import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from './prng.ts';

/** Bump when the generator changes, so stale cached files are not reused. */
const GENERATOR_VERSION = 1;
/** Source images kept in memory per thread or process, and files kept on disk. */
const MAX_IN_MEMORY = 8;
const MAX_FILES = 16;
const FILE_PATTERN = /^source-v\d+-\d+x\d+\.jpg$/;

const uid = process.getuid?.() ?? 0;

/**
 * Where generated source JPEGs are kept between runs (shared by every thread and process of
 * this user): a directory of our own, mode 0700, under the temp dir.
 */
export const SOURCE_IMAGE_DIR = join(tmpdir(), `concurrency-lab-${uid}`, 'images');

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

/** Ours and private: a real directory (no symlink), owned by this user, mode 0700 (made so when it is ours). */
async function privateDir(dir: string): Promise<boolean> {
  for (const path of [join(dir, '..'), dir]) {
    await mkdir(path, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const stats = await lstat(path);
    if (!stats.isDirectory() || stats.uid !== uid) return false;
    if ((stats.mode & 0o077) !== 0) await chmod(path, 0o700);
  }
  return true;
}

/**
 * A cached file, only when it is what it claims: a regular file of ours (not a link, opened
 * without following one) that decodes as a JPEG of the expected size.
 */
async function readVerified(path: string, width: number, height: number): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.uid !== uid) return undefined;
    const data = await handle.readFile();
    const metadata = await sharp(data).metadata();
    return metadata.format === 'jpeg' && metadata.width === width && metadata.height === height ? data : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Keeps the newest MAX_FILES sources; a file another process is writing is left alone. */
async function pruneFiles(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((name) => FILE_PATTERN.test(name));
  if (names.length <= MAX_FILES) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, mtimeMs: (await lstat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => b.mtimeMs - a.mtimeMs);
  await Promise.all(dated.slice(MAX_FILES).map(({ name }) => rm(join(dir, name), { force: true })));
}

async function loadOrGenerate(width: number): Promise<Buffer> {
  const height = heightFor(width);
  const dir = SOURCE_IMAGE_DIR;
  const usable = await privateDir(dir).catch(() => false);
  const path = join(dir, `source-v${GENERATOR_VERSION}-${width}x${height}.jpg`);
  if (usable) {
    const cached = await readVerified(path, width, height);
    if (cached !== undefined) return cached;
  }
  const jpeg = await sharp(photoLikePixels(width, height), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  if (!usable) return jpeg;
  // Write then rename (which replaces a bad file or a link, never writes through it), so a
  // thread or process starting at the same moment never reads half a file.
  const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
  try {
    await writeFile(partial, jpeg, { mode: 0o600, flag: 'wx' });
    await rename(partial, path);
    await pruneFiles(dir);
  } catch {
    // The cache is an optimisation: a full disk or a race costs a regeneration next time.
    await rm(partial, { force: true });
  }
  return jpeg;
}

/** The deterministic source JPEG of the given width, generated on first use and cached on disk and in memory (both bounded). */
export function sourceImage(width: number): Promise<Buffer> {
  let image = inMemory.get(width);
  if (image === undefined) {
    image = loadOrGenerate(width);
    inMemory.set(width, image);
    image.catch(() => inMemory.delete(width));
    if (inMemory.size > MAX_IN_MEMORY) inMemory.delete(inMemory.keys().next().value!);
  } else {
    // Most recently used last.
    inMemory.delete(width);
    inMemory.set(width, image);
  }
  return image;
}
