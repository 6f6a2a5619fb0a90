import { useEffect } from 'react';

/** Names the browser tab (and what screen readers announce on navigation) after the page. */
export function useDocumentTitle(title: string | null | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · EduCloud Live` : 'EduCloud Live';
  }, [title]);
}
