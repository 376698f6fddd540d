package org.ccpresence.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.ccpresence.error.ContractErrorInstrumentation;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import graphql.GraphQL;
import graphql.schema.GraphQLSchema;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.instrumentation.ChainedInstrumentation;

/**
 * Wires the whole API once: contract error codes on every error, and bounded query depth and complexity, checked
 * before any data fetcher (and so the database) runs.
 */
@ApplicationScoped
class GraphQLEngineSetup {

    @ConfigProperty(name = "presence.graphql.max-depth", defaultValue = "8")
    int maxDepth;

    @ConfigProperty(name = "presence.graphql.max-complexity", defaultValue = "400")
    int maxComplexity;

    @Inject
    Instance<GraphQLSchema> servedSchema;

    void configure(@Observes GraphQL.Builder builder) {
        builder.schema(SubscriptionErrors.executable(servedSchema.get()));
        builder.instrumentation(new ChainedInstrumentation(
                new ContractErrorInstrumentation(),
                new MaxQueryDepthInstrumentation(maxDepth),
                new MaxQueryComplexityInstrumentation(maxComplexity)));
    }
}
