/**
 * Copies text. The async Clipboard API needs a secure context and, in some browsers, focus or a
 * permission; the hidden-textarea + execCommand path still works where it does not.
 */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Denied or unavailable: fall through to the legacy path.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.top = '-1000px';
  area.style.opacity = '0';
  document.body.appendChild(area);
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  try {
    area.select();
    area.setSelectionRange(0, text.length);
    // Deprecated but the only synchronous fallback browsers still honour.
    if (!document.execCommand('copy')) throw new Error('Copy is not allowed in this browser');
  } finally {
    area.remove();
    previous?.focus();
  }
}
