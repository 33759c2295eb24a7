import sharp from 'sharp';

/**
 * The share of a screenshot's pixels that differ clearly (by more than 24 of 255 in grey) from
 * its most common grey: 0 for a blank page, a few per cent for text on a plain background.
 */
export async function contentShare(png: Buffer): Promise<number> {
  const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  const counts = new Uint32Array(256);
  for (const value of data) counts[value]!++;
  let background = 0;
  for (let grey = 1; grey < 256; grey++) if (counts[grey]! > counts[background]!) background = grey;
  let differing = 0;
  for (const value of data) if (Math.abs(value - background) > 24) differing++;
  return differing / data.length;
}
