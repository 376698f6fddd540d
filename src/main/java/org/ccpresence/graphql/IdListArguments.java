package org.ccpresence.graphql;

import java.util.Map;
import java.util.Set;

import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;

/**
 * Declares list-of-ID arguments as the contract writes them ({@code [ID!]}). SmallRye GraphQL cannot bind an
 * argument declared {@code @Id List<…>} (it converts the whole list as one ID and refuses every value), so such
 * arguments are written in Java as {@code List<String>} and retyped here, before the schema is built; the services
 * parse the ids themselves.
 */
final class IdListArguments {

    /** Root type → field → arguments that are lists of ids. */
    private static final Map<String, Map<String, Set<String>>> ID_LISTS = Map.of(
            "Subscription", Map.of("presenceChanged", Set.of("agentIds")),
            "Query", Map.of("presenceSummary", Set.of("agentIds")));

    private IdListArguments() {
    }

    static void retype(GraphQLSchema.Builder builder) {
        GraphQLSchema draft = builder.build();
        GraphQLScalarType id = (GraphQLScalarType) draft.getType("ID");
        builder.query(retype(draft.getQueryType(), ID_LISTS.get("Query"), id));
        GraphQLObjectType subscription = draft.getSubscriptionType();
        if (subscription != null) {
            builder.subscription(retype(subscription, ID_LISTS.get("Subscription"), id));
        }
    }

    private static GraphQLObjectType retype(GraphQLObjectType type, Map<String, Set<String>> fields, GraphQLScalarType id) {
        return type.transform(t -> fields.forEach((fieldName, arguments) -> {
            var field = type.getFieldDefinition(fieldName);
            if (field != null) {
                t.field(field.transform(f -> arguments.forEach(name -> {
                    var argument = field.getArgument(name);
                    if (argument != null) {
                        f.argument(argument.transform(a -> a.type(GraphQLList.list(GraphQLNonNull.nonNull(id)))));
                    }
                })));
            }
        }));
    }
}
