// The only shapes the classroom uses; anything else is a client bug or a probe.
const DOC_NAME =
  /^(?:class\/[A-Za-z0-9_-]{1,64}\/(?:board|notes)|breakout\/[A-Za-z0-9_-]{1,64}\/board)$/;

export function isValidDocName(name: string): boolean {
  return DOC_NAME.test(name);
}
