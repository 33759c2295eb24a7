import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { NODE } from '../support/lab-daemon.ts';

const MODULE = fileURLToPath(new URL('../../src/scenarios/source-images.ts', import.meta.url));
const uid = process.getuid!();

/**
 * sourceImage() in a fresh process (so nothing is cached in memory) whose temp dir is
 * `tmp`: the size of each image it returned, decoded.
 */
async function sourceImagesIn(tmp: string, widths: number[]): Promise<Array<{ width: number; height: number; bytes: number }>> {
  const script = `
    import sharp from 'sharp';
    const { sourceImage } = await import(${JSON.stringify(MODULE)});
    const out = [];
    for (const width of ${JSON.stringify(widths)}) {
      const image = await sourceImage(width);
      const { width: w, height: h } = await sharp(image).metadata();
      out.push({ width: w, height: h, bytes: image.length });
    }
    process.stdout.write(JSON.stringify(out));`;
  const { stdout } = await promisify(execFile)(NODE, ['--input-type=module', '-e', script], { env: { ...process.env, TMPDIR: tmp }, cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  return JSON.parse(stdout) as Array<{ width: number; height: number; bytes: number }>;
}

describe('the thumbnail source cache is private, verified and bounded', () => {
  let tmp: string;
  let dir: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'lab-images-test-'));
    dir = join(tmp, `concurrency-lab-${uid}`, 'images');
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('lives in a 0700 directory of our own', async () => {
    assert.deepEqual(await sourceImagesIn(tmp, [96]), [{ width: 96, height: 72, bytes: (await readFile(join(dir, 'source-v1-96x72.jpg'))).length }]);
    for (const path of [dir, join(dir, '..')]) {
      const stats = await lstat(path);
      assert.equal(stats.mode & 0o777, 0o700, path);
      assert.equal(stats.uid, uid);
    }
  });

  it('a directory made world-writable is made private again', async () => {
    await chmod(dir, 0o777);
    await sourceImagesIn(tmp, [96]);
    assert.equal((await lstat(dir)).mode & 0o777, 0o700);
  });

  it('a tampered file is not used: the image is regenerated and the file replaced', async () => {
    const path = join(dir, 'source-v1-96x72.jpg');
    const good = await readFile(path);
    // A valid JPEG, of the wrong size: exists, decodes, but is not ours.
    await writeFile(path, await sharp({ create: { width: 10, height: 10, channels: 3, background: 'red' } }).jpeg().toBuffer());
    assert.deepEqual(await sourceImagesIn(tmp, [96]), [{ width: 96, height: 72, bytes: good.length }]);
    assert.deepEqual(await readFile(path), good);
    await writeFile(path, 'not a jpeg');
    assert.deepEqual(await sourceImagesIn(tmp, [96]), [{ width: 96, height: 72, bytes: good.length }]);
  });

  it('a symlink planted at a file name is not followed, and is replaced', async () => {
    const target = join(tmp, 'elsewhere.txt');
    await writeFile(target, 'keep me');
    const path = join(dir, 'source-v1-120x90.jpg');
    await symlink(target, path);
    const [image] = await sourceImagesIn(tmp, [120]);
    assert.equal(image!.width, 120);
    assert.equal(await readFile(target, 'utf8'), 'keep me');
    assert.ok((await lstat(path)).isFile());
  });

  it('keeps at most 16 files on disk', async () => {
    const widths = Array.from({ length: 24 }, (_, i) => 80 + i);
    const images = await sourceImagesIn(tmp, widths);
    assert.deepEqual(images.map((image) => image.width), widths);
    const files = (await readdir(dir)).filter((name) => name.endsWith('.jpg'));
    assert.ok(files.length <= 16, `${files.length} files`);
  });
});
