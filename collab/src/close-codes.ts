// The codes are shared with the web client: defined once in protocol.
export { collabClose as Close, type CollabCloseReason as CloseReason } from '@educloud/protocol';
