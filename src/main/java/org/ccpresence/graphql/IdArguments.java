package org.ccpresence.graphql;

import java.util.List;
import java.util.Map;

import org.ccpresence.error.ApiException;

import graphql.TrivialDataFetcher;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.schema.DataFetcher;
import graphql.schema.GraphQLArgument;
import graphql.schema.GraphQLInputObjectField;
import graphql.schema.GraphQLInputObjectType;
import graphql.schema.GraphQLInputType;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLType;

/**
 * Every id of this API is a number the service gave out. GraphQL's ID accepts any text, and SmallRye GraphQL turns one
 * that is not a number into an engine error plus a null where the schema promises a value, and one too large for a
 * long into another, wrapped-around id. Checked here, before any fetcher runs, an id argument (also inside input
 * objects and lists) that is not a non-negative number of at most 18 digits is refused with BAD_USER_INPUT.
 */
public final class IdArguments extends SimplePerformantInstrumentation {

    private static final int MAX_DIGITS = 18;

    @Override
    public DataFetcher<?> instrumentDataFetcher(DataFetcher<?> fetcher, InstrumentationFieldFetchParameters parameters,
            InstrumentationState state) {
        if (fetcher instanceof TrivialDataFetcher) {
            return fetcher; // a property read: no arguments (and looking the field up is not free, per field)
        }
        List<GraphQLArgument> arguments = parameters.getField().getArguments();
        if (arguments.isEmpty()) {
            return fetcher;
        }
        return env -> {
            for (GraphQLArgument argument : arguments) {
                check(argument.getName(), argument.getType(), env.getArguments().get(argument.getName()));
            }
            return fetcher.get(env);
        };
    }

    /** Checks a value against its input type: ids, lists of them, input objects with id fields. */
    static void check(String name, GraphQLInputType type, Object value) {
        GraphQLType bare = type instanceof GraphQLNonNull nonNull ? nonNull.getWrappedType() : type;
        if (value == null) {
            return;
        }
        if (bare instanceof GraphQLList list && value instanceof List<?> values) {
            values.forEach(v -> check(name, (GraphQLInputType) list.getWrappedType(), v));
        } else if (bare instanceof GraphQLInputObjectType object && value instanceof Map<?, ?> fields) {
            for (GraphQLInputObjectField field : object.getFieldDefinitions()) {
                check(name + "." + field.getName(), field.getType(), fields.get(field.getName()));
            }
        } else if (bare instanceof GraphQLScalarType scalar && scalar.getName().equals("ID") && !isId(value.toString())) {
            throw ApiException.badInput("\"" + name + "\" must be an id this service gave out (digits only, such as "
                    + "\"42\"); got \"" + value + "\".");
        }
    }

    private static boolean isId(String text) {
        if (text.isEmpty() || text.length() > MAX_DIGITS) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
