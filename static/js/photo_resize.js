// Shrink a photo on the phone before it is sent: longest side at most 1600 px, JPEG ~0.8.
// createImageBitmap applies the EXIF orientation, so the result is upright and carries no metadata.
export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

export function fitWithin(width, height, maxSide = MAX_SIDE) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function decode(source) {
  try {
    return await createImageBitmap(source, { imageOrientation: "from-image" });
  } catch {
    return createImageBitmap(source);
  }
}

// Return a JPEG Blob of the image (a Blob/File, canvas or bitmap source), or the original Blob
// if the browser cannot decode it (the server will still check and re-encode it).
export async function downscalePhoto(source, { maxSide = MAX_SIDE, quality = QUALITY } = {}) {
  let bitmap;
  try {
    bitmap = await decode(source);
  } catch {
    return source;
  }
  const { width, height } = fitWithin(bitmap.width, bitmap.height, maxSide);
  let blob;
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, width, height);
    blob = await canvas.convertToBlob({ type: "image/jpeg", quality });
  } else {
    const canvas = Object.assign(document.createElement("canvas"), { width, height });
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, width, height);
    blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  }
  bitmap.close?.();
  // A small photo that was already compact stays as it was, if re-encoding made it bigger.
  if (!blob || (source instanceof Blob && source.type === "image/jpeg" && blob.size >= source.size)) return source;
  return blob;
}
