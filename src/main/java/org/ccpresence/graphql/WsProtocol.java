package org.ccpresence.graphql;

/** The two GraphQL-over-WebSocket sub-protocols clients use, by their message names. */
enum WsProtocol {
    /** graphql-ws's current protocol (the graphql-ws npm library, Apollo, urql). */
    TRANSPORT_WS("graphql-transport-ws", "subscribe", "next", "complete"),
    /** The legacy subscriptions-transport-ws protocol. */
    LEGACY_WS("graphql-ws", "start", "data", "stop");

    final String subprotocol;
    final String subscribe;
    final String next;
    final String stop;

    WsProtocol(String subprotocol, String subscribe, String next, String stop) {
        this.subprotocol = subprotocol;
        this.subscribe = subscribe;
        this.next = next;
        this.stop = stop;
    }

    static WsProtocol of(String subprotocol) {
        for (WsProtocol protocol : values()) {
            if (protocol.subprotocol.equals(subprotocol)) {
                return protocol;
            }
        }
        return null;
    }
}
