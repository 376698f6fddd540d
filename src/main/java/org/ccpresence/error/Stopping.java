package org.ccpresence.error;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;

/**
 * Whether this replica is stopping. A periodic job that fails then (its pool is being closed) fails as expected:
 * worth a debug line, not a warning at every rolling restart.
 */
@ApplicationScoped
public class Stopping {

    private static volatile boolean underway;

    void onStop(@Observes ShutdownEvent event) {
        underway = true;
    }

    public static boolean underway() {
        return underway;
    }
}
