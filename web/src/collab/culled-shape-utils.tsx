import type { ReactNode } from 'react';
import {
  defaultShapeUtils,
  track,
  useSvgExportContext,
  useValue,
  type Editor,
  type TLAnyShapeUtilConstructor,
  type TLShape,
  type TLShapeId,
} from 'tldraw';

/**
 * tldraw 3.15 renders every shape of the page and hides those outside the viewport with
 * `display: none`: opening a page of 2,500 shapes built 2,500 SVG shapes and indicators in one
 * React commit (about 10 s of main thread on this machine). These shape utils render a culled
 * shape (outside the viewport, not selected, not being edited: tldraw's own `getCulledShapes`)
 * as nothing, and its content as soon as it comes into view.
 */
export const culledShapeUtils: TLAnyShapeUtilConstructor[] =
  defaultShapeUtils.map(renderWhenVisible);

/**
 * A shape util's output in a component of its own: its hooks and reactive reads live and die
 * with it when the shape leaves and re-enters the viewport.
 */
const TrackedOutput = track(function TrackedOutput({ render }: { render: () => ReactNode }) {
  return render();
});

function VisibleOnly({
  editor,
  id,
  render,
}: {
  editor: Editor;
  id: TLShapeId;
  render: () => ReactNode;
}) {
  // An export (PNG, SVG) renders shapes without a toSvg through their component, wherever
  // the camera is.
  const exporting = useSvgExportContext() !== null;
  const culled = useValue('shape culled', () => !exporting && editor.getCulledShapes().has(id), [
    editor,
    id,
    exporting,
  ]);
  return culled ? null : <TrackedOutput render={render} />;
}

/** What a default shape util class is: a constructor of a util that implements these. */
type ConcreteShapeUtil = new (editor: Editor) => {
  readonly editor: Editor;
  component(shape: TLShape): ReactNode;
  indicator(shape: TLShape): ReactNode;
};

function renderWhenVisible(Util: TLAnyShapeUtilConstructor): TLAnyShapeUtilConstructor {
  // `type`, `props`, `migrations` and the rest are static: inherited as they are.
  class VisibleOnlyShapeUtil extends (Util as unknown as ConcreteShapeUtil) {
    override component(shape: TLShape) {
      return (
        <VisibleOnly editor={this.editor} id={shape.id} render={() => super.component(shape)} />
      );
    }

    override indicator(shape: TLShape) {
      return (
        <VisibleOnly editor={this.editor} id={shape.id} render={() => super.indicator(shape)} />
      );
    }
  }
  return VisibleOnlyShapeUtil as unknown as TLAnyShapeUtilConstructor;
}
