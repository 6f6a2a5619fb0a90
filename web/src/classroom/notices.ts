export type NoticeKind =
  | 'muted'
  | 'mutedAll'
  | 'cameraStopped'
  | 'unmuteAllowed'
  | 'unmuteRequested'
  | 'roleChanged'
  | 'unmuteRefused'
  | 'chatDisabled'
  | 'screenShareRefused';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

/** What this user is told, in words, when the teacher (or the class's rules) acts on them. */
export function noticeText(n: { kind: NoticeKind; by: string }): string {
  const who = n.by || 'The teacher';
  switch (n.kind) {
    case 'muted':
      return `${who} muted you. You can unmute when the teacher allows it.`;
    case 'mutedAll':
      return `${who} muted everyone.`;
    case 'cameraStopped':
      return `${who} turned your camera off.`;
    case 'unmuteAllowed':
      return `${who} allows you to unmute your microphone.`;
    case 'unmuteRequested':
      return `${who} asks you to unmute your microphone.`;
    case 'roleChanged':
      return `${who} changed your role in this class.`;
    case 'unmuteRefused':
      return 'You cannot unmute yet: the teacher muted you. Raise your hand to ask to speak.';
    case 'chatDisabled':
      return 'The teacher turned the chat off. You can still write to the teachers.';
    case 'screenShareRefused':
      return 'Students may not share their screen in this class.';
  }
}
