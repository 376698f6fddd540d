package org.ccpresence.graphql;

import java.util.Map;
import java.util.Set;

import graphql.schema.DataFetchingEnvironment;
import io.smallrye.graphql.api.Context;

/**
 * Which fields of an input object the client gave, an explicit null included. Java input classes cannot tell a field
 * left out from one set to null; the contract needs it (left out of an update: kept; null: cleared).
 */
public final class GivenFields {

    private GivenFields() {
    }

    public static Set<String> of(Context context, String argument) {
        Object value = context.unwrap(DataFetchingEnvironment.class).getArgument(argument);
        return value instanceof Map<?, ?> map ? Set.copyOf(map.keySet().stream().map(String::valueOf).toList()) : Set.of();
    }
}
