package org.ccpresence.graphql;

import java.util.ArrayDeque;

import org.ccpresence.error.ApiException;
import org.ccpresence.error.ContractErrors;

import io.vertx.core.json.Json;

/**
 * One subscription of a WebSocket connection, as its feature's feed sees it ({@link EventSink}). Events wait in a
 * bounded outbox until the connection writes them, on its event loop, while the socket takes more; the events' text is
 * shared with every other subscriber of the shape, only the frame around it is this subscription's.
 */
final class WsSubscription implements EventSink {

    private record Frame(long position, long committedAt, String text) {
    }

    private final WsConnection connection;
    private final String id;
    private final String field;
    private final Shape shape;
    private final int limit;
    private final String prefix;
    private ArrayDeque<Frame> outbox;
    private long lastWritten = -1;
    private boolean written;
    private boolean ending;
    private Runnable whenWritten;
    private Runnable stop;

    WsSubscription(WsConnection connection, String id, String field, Shape shape, int limit) {
        this.connection = connection;
        this.id = id;
        this.field = field;
        this.shape = shape;
        this.limit = limit;
        this.prefix = "{\"id\":" + Json.encode(id) + ",\"type\":\"" + connection.protocol().next + "\",\"payload\":";
    }

    String id() {
        return id;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public boolean next(long position, long committedAt, String payload) {
        synchronized (this) {
            if (ending) {
                return true;
            }
            if (outbox == null) {
                outbox = new ArrayDeque<>();
            } else if (outbox.size() >= limit) {
                return false;
            }
            outbox.add(new Frame(position, committedAt, prefix + payload + '}'));
        }
        connection.ready(this);
        return true;
    }

    @Override
    public synchronized long lastWritten(long otherwise) {
        return written ? lastWritten : otherwise;
    }

    @Override
    public void whenWritten(Runnable action) {
        synchronized (this) {
            if (outbox != null && !outbox.isEmpty()) {
                whenWritten = action;
                return;
            }
        }
        action.run();
    }

    @Override
    public void fail(ApiException error) {
        String event = "{\"data\":{" + Json.encode(field) + ":null},\"errors\":["
                + Json.encode(ContractErrors.specification(error)) + "]}";
        end(prefix + event + '}');
    }

    /** Ends the subscription from the server's side: what is queued is dropped, the client is told it is complete. */
    void complete() {
        end(null);
    }

    private void end(String lastFrame) {
        synchronized (this) {
            if (ending) {
                return;
            }
            ending = true;
            outbox = new ArrayDeque<>();
            if (lastFrame != null) {
                outbox.add(new Frame(-1, 0, lastFrame));
            }
            outbox.add(new Frame(-1, 0, connection.completeMessage(id)));
        }
        stopFeed();
        connection.ready(this);
    }

    /** Set once the feature's feed delivers to this subscription; stopped when the subscription ends. */
    void feedStarted(Runnable stopFeed) {
        boolean stopNow;
        synchronized (this) {
            stop = stopFeed;
            stopNow = ending;
        }
        if (stopNow) {
            stopFeed();
        }
    }

    /** The client completed it, or the connection closed: nothing more is written. */
    void cancel() {
        synchronized (this) {
            ending = true;
            outbox = null;
        }
        stopFeed();
    }

    private void stopFeed() {
        Runnable s;
        synchronized (this) {
            s = stop;
            stop = null;
        }
        if (s != null) {
            s.run();
        }
    }

    /**
     * Writes queued frames while the socket takes them, on the connection's event loop. Returns whether frames are
     * left; when the subscription has ended and everything is out, the connection forgets it.
     */
    boolean writeQueued() {
        Runnable done = null;
        boolean left;
        boolean finished = false;
        synchronized (this) {
            while (outbox != null && !outbox.isEmpty() && !connection.socketFull()) {
                Frame frame = outbox.poll();
                connection.write(frame.text());
                if (frame.committedAt() > 0) {
                    connection.delivered(frame.committedAt());
                }
                if (frame.position() >= 0) {
                    lastWritten = frame.position();
                    written = true;
                }
            }
            left = outbox != null && !outbox.isEmpty();
            if (!left && whenWritten != null) {
                done = whenWritten;
                whenWritten = null;
            }
            finished = ending && !left;
        }
        if (finished) {
            connection.forget(this);
        }
        if (done != null) {
            done.run();
        }
        return left;
    }
}
