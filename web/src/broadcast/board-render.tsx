import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useEffect, useState } from 'react';
import { Box as TlBox, Tldraw, type Editor, type TLPageId, type TLRecord } from 'tldraw';
import 'tldraw/tldraw.css';
import { showBoardRecords } from './show-board-records.js';

const assetUrls = getAssetUrlsByImport();
// Room left around the drawing, as a share of the picture.
const MARGIN = 0.06;

/** One picture of the board: its records at a moment, the page to show, the picture's size. */
export interface BoardRenderRequest {
  records: Record<string, unknown>[];
  pageId?: string;
  width: number;
  height: number;
}

declare global {
  interface Window {
    /**
     * Set once the board is ready: renders the board's page as tldraw draws it, as a PNG data
     * URL of exactly width × height (white around the drawing; all white for an empty page).
     * Called by the server's MP4 export (one headless page, one picture at a time).
     */
    educloudBoardRender?: (r: BoardRenderRequest) => Promise<string>;
  }
}

async function render(editor: Editor, req: BoardRenderRequest): Promise<string> {
  showBoardRecords(editor, req.records as unknown as TLRecord[]);
  const pages = editor.getPages();
  const page = pages.find((p) => p.id === req.pageId) ?? pages[0];
  if (page && page.id !== editor.getCurrentPageId()) editor.setCurrentPage(page.id as TLPageId);
  // Exactly the picture's size, on white (an empty page is a white picture).
  const canvas = document.createElement('canvas');
  canvas.width = req.width;
  canvas.height = req.height;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, req.width, req.height);
  const shapes = [...editor.getCurrentPageShapeIds()];
  const bounds = editor.getCurrentPageBounds();
  if (shapes.length && bounds) {
    // The drawing centred in a box of the picture's proportions, so tldraw draws it at the
    // picture's resolution rather than being scaled afterwards.
    const aspect = req.width / req.height;
    const w = Math.max(bounds.w, bounds.h * aspect) * (1 + 2 * MARGIN);
    const h = w / aspect;
    const box = new TlBox(bounds.center.x - w / 2, bounds.center.y - h / 2, w, h);
    const { blob } = await editor.toImage(shapes, {
      format: 'png',
      background: true,
      bounds: box,
      padding: 0,
      scale: req.width / w,
      pixelRatio: 1,
      darkMode: false,
    });
    const bitmap = await createImageBitmap(blob);
    ctx.drawImage(bitmap, 0, 0, req.width, req.height);
    bitmap.close();
  }
  return canvas.toDataURL('image/png');
}

/** /board-render — a bare read-only board the MP4 export drives to draw the board's pictures. */
export function BoardRender() {
  const [editor, setEditor] = useState<Editor | null>(null);
  useEffect(() => {
    if (!editor) return;
    window.educloudBoardRender = (req) => render(editor, req);
    return () => {
      delete window.educloudBoardRender;
    };
  }, [editor]);
  return (
    <div style={{ position: 'fixed', inset: 0 }} data-testid="board-render">
      <Tldraw
        assetUrls={assetUrls}
        hideUi
        onMount={(e) => {
          e.updateInstanceState({ isReadonly: true });
          e.user.updateUserPreferences({ colorScheme: 'light' });
          setEditor(e);
        }}
      />
    </div>
  );
}
