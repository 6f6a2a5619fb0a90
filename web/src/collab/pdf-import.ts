import { AssetRecordType, PageRecordType, type Editor, type TLPageId } from 'tldraw';
import { GlobalWorkerOptions, getDocument } from 'pdfjs-dist';
// Served from our own bundle: no worker from a CDN.
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

/** Rendered width of a page in pixels: readable on a projector, small enough to sync. */
const renderWidth = 1600;
/** Each page image travels in one update; the server refuses frames above 1 MiB. */
const maxDataUrlChars = 700_000;
export const maxPdfPages = 50;

async function renderPage(
  pdf: Awaited<ReturnType<typeof getDocument>['promise']>,
  n: number,
): Promise<{ src: string; w: number; h: number }> {
  const page = await pdf.getPage(n);
  const base = page.getViewport({ scale: 1 });
  let scale = renderWidth / base.width;
  for (;;) {
    const viewport = page.getViewport({ scale });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(viewport.width);
    canvas.height = Math.ceil(viewport.height);
    await page.render({ canvas, viewport }).promise;
    // White under transparent areas, which JPEG would turn black.
    const flat = document.createElement('canvas');
    flat.width = canvas.width;
    flat.height = canvas.height;
    const ctx = flat.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, flat.width, flat.height);
    ctx.drawImage(canvas, 0, 0);
    for (const quality of [0.85, 0.7, 0.5]) {
      const src = flat.toDataURL('image/jpeg', quality);
      if (src.length <= maxDataUrlChars) {
        // Shapes keep the page's size in points, so slides and sheets keep their proportions.
        return { src, w: base.width, h: base.height };
      }
    }
    scale *= 0.7;
  }
}

const nextTick = () => new Promise((r) => setTimeout(r, 120));

/**
 * The server gives a teacher a write budget (collab/README.md: a 16 MiB burst, then 1 MiB/s
 * per socket); a long PDF goes out below it, so the import is never cut off half way.
 */
const paceBurstBytes = 12 * 1024 * 1024;
const paceBytesPerSecond = 768 * 1024;

function pacer() {
  let credit = paceBurstBytes;
  let last = performance.now();
  return async (bytes: number) => {
    const now = performance.now();
    credit = Math.min(paceBurstBytes, credit + ((now - last) / 1000) * paceBytesPerSecond);
    last = now;
    if (credit < bytes) {
      await new Promise((r) => setTimeout(r, ((bytes - credit) / paceBytesPerSecond) * 1000));
      credit = bytes;
      last = performance.now();
    }
    credit -= bytes;
  };
}

/**
 * Adds one board page per PDF page, each with the rendered page as a locked background image.
 * Pages are added one at a time, so each image reaches the server in its own update.
 */
export async function importPdf(
  editor: Editor,
  file: File,
  onProgress?: (done: number, total: number) => void,
): Promise<TLPageId[]> {
  const pdf = await getDocument({ data: new Uint8Array(await file.arrayBuffer()) }).promise;
  try {
    const total = Math.min(pdf.numPages, maxPdfPages);
    const title = file.name.replace(/\.pdf$/i, '') || 'PDF';
    const pageIds: TLPageId[] = [];
    const pace = pacer();
    for (let n = 1; n <= total; n++) {
      const { src, w, h } = await renderPage(pdf, n);
      await pace(src.length);
      const pageId = PageRecordType.createId();
      const assetId = AssetRecordType.createId();
      editor.run(() => {
        editor.createPage({ id: pageId, name: total > 1 ? `${title} ${n}` : title });
        editor.createAssets([
          {
            id: assetId,
            typeName: 'asset',
            type: 'image',
            props: {
              name: `${title}-${n}.jpg`,
              src,
              w,
              h,
              mimeType: 'image/jpeg',
              isAnimated: false,
            },
            meta: {},
          },
        ]);
        editor.createShape({
          type: 'image',
          parentId: pageId,
          x: 0,
          y: 0,
          isLocked: true,
          props: { assetId, w, h },
          meta: { pdfBackground: true },
        });
      });
      pageIds.push(pageId);
      onProgress?.(n, total);
      await nextTick();
    }
    if (pageIds[0]) {
      editor.setCurrentPage(pageIds[0]);
      editor.zoomToFit();
    }
    return pageIds;
  } finally {
    await pdf.destroy();
  }
}
