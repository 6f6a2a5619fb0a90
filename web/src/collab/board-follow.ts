import { useEffect } from 'react';
import { react, type Editor } from 'tldraw';
import type { StageView } from '@educloud/protocol';

/** How often the presenter's page and viewport go out at most (a pan changes them per frame). */
const sendEveryMs = 150;

/** The presenter: sends their current page and viewport whenever they change. */
export function usePresentView(
  editor: Editor | null,
  presenting: boolean,
  send: (view: StageView) => void,
): void {
  useEffect(() => {
    if (!editor || !presenting) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let latest: StageView | null = null;
    let sent = '';
    const flush = () => {
      timer = undefined;
      if (!latest) return;
      const key = JSON.stringify(latest);
      if (key !== sent) {
        sent = key;
        send(latest);
      }
    };
    const stop = react('present board view', () => {
      const b = editor.getViewportPageBounds();
      latest = { pageId: editor.getCurrentPageId(), x: b.x, y: b.y, w: b.w, h: b.h };
      timer ??= setTimeout(flush, sendEveryMs);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [editor, presenting, send]);
}

/**
 * A follower: shows the presenter's page and fits their viewport. A page that has not reached
 * this browser yet is shown as soon as it arrives.
 */
export function useFollowView(editor: Editor | null, view: StageView | null): void {
  useEffect(() => {
    if (!editor || !view) return;
    const apply = () => {
      const pageId = view.pageId as ReturnType<Editor['getCurrentPageId']>;
      if (!editor.getPage(pageId)) return false;
      if (editor.getCurrentPageId() !== pageId) editor.setCurrentPage(pageId);
      // The board may just have come on stage (it was hidden): measure it before fitting.
      editor.updateViewportScreenBounds(editor.getContainer());
      editor.zoomToBounds(view, { inset: 0, immediate: true });
      return true;
    };
    if (apply()) return;
    const stop = editor.store.listen(() => {
      if (apply()) stop();
    });
    return stop;
  }, [editor, view]);
}
