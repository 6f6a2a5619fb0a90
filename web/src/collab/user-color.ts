/** Distinct, readable cursor colours; a user keeps the same one on every device. */
const palette = [
  '#e03131',
  '#1971c2',
  '#2f9e44',
  '#f08c00',
  '#9c36b5',
  '#0c8599',
  '#e8590c',
  '#5f3dc4',
  '#c2255c',
  '#66a80f',
];

export function colorForUser(userId: string): string {
  let h = 0;
  for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) | 0;
  return palette[Math.abs(h) % palette.length]!;
}
