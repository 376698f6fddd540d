package org.ccpresence.graphql;

import org.ccpresence.error.ContractErrorInstrumentation;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import graphql.GraphQL;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.schema.GraphQLSchema;
import graphql.schema.visibility.DefaultGraphqlFieldVisibility;
import io.smallrye.graphql.spi.EventingService;

/**
 * Wires the whole GraphQL engine once, through SmallRye GraphQL's build hooks: list-of-ID arguments as the contract
 * types them, contract error codes on every error, query depth and complexity bounded before any data fetcher (and so
 * the database) runs, each operation parsed and validated once (by SmallRye's document cache), plain properties read
 * without a request context each ({@link PlainFields}). Subscriptions run on
 * {@link LiveEngine}.
 * Registered with the ServiceLoader, and enabled by {@code presence.graphql.engine-setup} (so that no per-request CDI
 * events are needed).
 */
public class GraphQLEngineSetup implements EventingService {

    private static final String FIELD_VISIBILITY_DEFAULT = "default";

    @Override
    public String getConfigKey() {
        return "presence.graphql.engine-setup";
    }

    @Override
    public GraphQLSchema.Builder beforeSchemaBuild(GraphQLSchema.Builder builder) {
        IdListArguments.retype(builder);
        GraphQLSchema draft = builder.build();
        return builder.codeRegistry(draft.getCodeRegistry().transform(codes -> {
            PlainFields.install(draft, codes);
            if (FIELD_VISIBILITY_DEFAULT.equals(io.smallrye.graphql.spi.config.Config.get().getFieldVisibility())) {
                // SmallRye takes the setting's default value for a pattern of fields to block, and graphql-java then
                // matches every field of every answer against it, a regular expression each (3 % of a report page)
                codes.fieldVisibility(DefaultGraphqlFieldVisibility.DEFAULT_FIELD_VISIBILITY);
            }
        }));
    }

    @Override
    public GraphQL.Builder beforeGraphQLBuild(GraphQL.Builder builder) {
        Config config = ConfigProvider.getConfig();
        int maxDepth = config.getOptionalValue("presence.graphql.max-depth", Integer.class).orElse(8);
        int maxComplexity = config.getOptionalValue("presence.graphql.max-complexity", Integer.class).orElse(400);
        // SmallRye's own instrumentation stays in the chain: it fills SmallRye's document cache, which SmallRye reads
        // again for every request (without it, each request's document is parsed a second time).
        Instrumentation smallRye = builder.build().getInstrumentation();
        return builder.instrumentation(new ChainedInstrumentation(
                new ContractErrorInstrumentation(),
                new IdArguments(),
                new MaxQueryDepthInstrumentation(maxDepth),
                new MaxQueryComplexityInstrumentation(maxComplexity),
                smallRye));
    }
}
