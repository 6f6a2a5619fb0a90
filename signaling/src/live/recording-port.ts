import type { ClassRecordingStatus, StageContent } from '@educloud/protocol';

/** Who is in the class when recording starts, so the timeline can name them. */
export interface RecordingParticipant {
  peerId: string;
  name: string;
}

/** The class as a recording finds it: its timeline begins with who is there and the stage. */
export interface ClassAtStart {
  participants: RecordingParticipant[];
  onStage: StageContent | null;
  /** The board page the presenter shows, when the board is presented. */
  page: string | null;
}

/**
 * Recording of the live class, done by the media side; the composition root provides it.
 * `start` refuses (AckError `conflict`) when already recording or when the disk would fill.
 */
export interface ClassRecordingControl {
  start(
    classId: string,
    by: { userId: string; name: string },
    at: ClassAtStart,
  ): Promise<ClassRecordingStatus>;
  stop(classId: string): Promise<ClassRecordingStatus>;
  status(classId: string): ClassRecordingStatus;
  /**
   * The class went live: a class set to record automatically starts recording (its status is
   * returned, to tell the class); null when it is not set to. A refusal (disk, quota) comes
   * back as a status with `refused`, for the teachers only.
   */
  classStarted?(
    classId: string,
    by: { userId: string; name: string },
    at: ClassAtStart,
  ): Promise<ClassRecordingStatus | null>;
}

/**
 * Something happened in a live class that a recording's timeline keeps: a client event that
 * succeeded (with its payload and result), or a participant gone for good.
 */
export interface LiveActivity {
  classId: string;
  peerId: string;
  name: string;
  event: string;
  payload: unknown;
  result: unknown;
}
