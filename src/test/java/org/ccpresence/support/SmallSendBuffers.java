package org.ccpresence.support;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Gives the test application's sockets a fixed 64 KB send buffer instead of the kernel's auto-tuned one (up to 4 MB),
 * so that a client that stops reading backs the service's writes up after a few hundred events rather than tens of
 * thousands (see StreamConsistencyTest).
 */
@ApplicationScoped
public class SmallSendBuffers implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setSendBufferSize(64 * 1024);
    }
}
