package org.ccpresence.graphql;

import org.ccpresence.security.Caller;

/**
 * Told when a WebSocket starts and stops holding open subscriptions, e.g. to know which agents have a desktop open.
 * Called on the socket's event loop; {@code socket} identifies the connection.
 */
public interface SocketWatcher {

    /** The socket holds its first open subscription, made with the caller's token. */
    void holding(Object socket, Caller caller);

    /** The socket holds no open subscription any more (the last one ended, or the socket closed). */
    void released(Object socket);
}
