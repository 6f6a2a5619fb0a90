import type { Server, Socket } from 'socket.io';
import type { ClientEvents, ServerEvents } from '@educloud/protocol';

/** The Socket.IO server and sockets of the live class, typed by the shared protocol. */
export type LiveServer = Server<ClientEvents, ServerEvents>;
export type LiveSocket = Socket<ClientEvents, ServerEvents>;
