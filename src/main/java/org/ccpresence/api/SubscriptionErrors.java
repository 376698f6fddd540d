package org.ccpresence.api;

import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;

/**
 * Lets a failing subscription reach its client. The contract declares subscription fields non-null, as the served
 * SDL says. But when such a stream fails (refused access, a subscriber too slow, an expired token), graphql-java finds
 * no parent to null out and SmallRye GraphQL then sends the client nothing at all. Executing subscriptions against a
 * copy of the schema whose subscription fields are nullable turns the failure into a proper message carrying the
 * contract error; no event ever carries a null without an error.
 */
final class SubscriptionErrors {

    private SubscriptionErrors() {
    }

    static GraphQLSchema executable(GraphQLSchema served) {
        GraphQLObjectType subscription = served.getSubscriptionType();
        if (subscription == null) {
            return served;
        }
        GraphQLObjectType relaxed = subscription.transform(type -> {
            type.clearFields();
            for (GraphQLFieldDefinition field : subscription.getFieldDefinitions()) {
                type.field(field.getType() instanceof GraphQLNonNull nonNull
                        ? field.transform(f -> f.type((graphql.schema.GraphQLOutputType) nonNull.getWrappedType()))
                        : field);
            }
        });
        return served.transform(schema -> schema.subscription(relaxed));
    }
}
