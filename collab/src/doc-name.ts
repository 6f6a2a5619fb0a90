// The grammar is shared with the server's authorization and the web client: defined in protocol.
export { isValidCollabDocName as isValidDocName } from '@educloud/protocol';
