import { useState } from 'react';
import {
  DefaultCanvas,
  computed,
  useEditor,
  type Editor,
  type TLCanvasComponentProps,
} from 'tldraw';

/**
 * tldraw 3.15 mounts a shape component and an indicator for every shape of the page and hides
 * those outside the viewport with `display: none`: opening a page of 2,500 shapes built 5,000
 * React components of which a hundred are drawn (about 1 s of main thread on this machine,
 * and as much again in garbage collection). This canvas is tldraw's own, given an editor whose
 * rendering list leaves out the culled shapes (outside the viewport, not selected, not being
 * edited: tldraw's `getCulledShapes`). A shape is mounted when it comes into view and unmounted
 * when it leaves. Nothing else reads that list: hit testing, selection and exports work on the
 * store and the shapes' geometry, whatever is mounted.
 */
export function VisibleShapesCanvas(props: TLCanvasComponentProps) {
  const editor = useEditor();
  // Before the canvas's first render, which reads the rendering list.
  useState(() => renderOnlyVisibleShapes(editor));
  return <DefaultCanvas {...props} />;
}

const patched = new WeakSet<Editor>();

/** Makes `editor.getRenderingShapes()` leave out culled shapes (once per editor). */
export function renderOnlyVisibleShapes(editor: Editor): void {
  if (patched.has(editor)) return;
  patched.add(editor);
  const all = editor.getRenderingShapes.bind(editor);
  const visible = computed('visible rendering shapes', () => {
    const culled = editor.getCulledShapes();
    if (culled.size === 0) return all();
    return all().filter((s) => !culled.has(s.id));
  });
  // An own property in front of the prototype's computed method.
  editor.getRenderingShapes = () => visible.get();
}
