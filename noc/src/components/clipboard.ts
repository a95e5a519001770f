/** Copies text; navigator.clipboard exists only in a secure context (HTTPS or localhost). */
export async function copyText(text: string): Promise<void> {
  if (!window.isSecureContext || !('clipboard' in navigator))
    throw new Error(
      'This browser offers no clipboard on a page served over plain HTTP: select the text and copy it.',
    );
  await navigator.clipboard.writeText(text);
}

/** A `data:` URL for a small text file, so a download needs no blob: URL (the CSP allows none). */
export function textFileUrl(text: string): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}

/** Base64 of a string's UTF-8 bytes (btoa alone takes Latin-1 only). */
export function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
