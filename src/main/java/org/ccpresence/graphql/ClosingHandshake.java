package org.ccpresence.graphql;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * A frame the decoder refuses (one over the frame limit, a protocol error) reaches Vert.x as an exception, and Vert.x
 * then closes the TCP connection at once — while the client is still sending the rest of it, so the client's stack
 * answers the unread bytes with a reset that discards our close frame (the client sees 1006, not why). This handler,
 * just before Vert.x's, hands such a refusal to the socket's owner instead (which sends its close frame), then reads
 * and discards what the client still sends until it closes, or {@link #LINGER_MS} pass (RFC 6455's closing handshake).
 */
final class ClosingHandshake extends ChannelInboundHandlerAdapter {

    static final long LINGER_MS = 2000;

    private final Consumer<CorruptedWebSocketFrameException> refused;
    private boolean closing;

    private ClosingHandshake(Consumer<CorruptedWebSocketFrameException> refused) {
        this.refused = refused;
    }

    /** Placed before Vert.x's handler of the upgraded connection; a connection of another kind is left alone. */
    static void install(HttpConnection connection, Consumer<CorruptedWebSocketFrameException> refused) {
        if (connection instanceof ConnectionBase base && base.channelHandlerContext().pipeline().get("handler") != null) {
            base.channelHandlerContext().pipeline().addBefore("handler", "closing-handshake", new ClosingHandshake(refused));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof CorruptedWebSocketFrameException corrupted)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (!closing) {
            closing = true;
            refused.accept(corrupted);
            ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (closing) {
            ReferenceCountUtil.release(message);
        } else {
            ctx.fireChannelRead(message);
        }
    }
}
