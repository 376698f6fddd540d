package org.ccpresence.support;

import io.quarkus.test.common.QuarkusTestResource;

/** Applies {@link TestDatabase} to every {@code @QuarkusTest} of the module. */
@QuarkusTestResource(TestDatabase.class)
public final class TestResources {
    private TestResources() {
    }
}
