package org.ccpresence.graphql;

import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLOutputType;

/**
 * Lets a failing subscription reach its client. The contract declares subscription fields non-null, as the served
 * SDL says. But when such a stream fails after it started (a subscriber too slow, an expired token), its last event
 * must carry the contract error and no data, and graphql-java would find no parent to null out. The live engine
 * therefore executes subscription operations against a copy of the Subscription type whose fields are nullable; no
 * event ever carries a null without an error.
 */
final class SubscriptionErrors {

    private SubscriptionErrors() {
    }

    /** The type with every non-null field made nullable. */
    static GraphQLObjectType relaxed(GraphQLObjectType subscription) {
        return subscription.transform(type -> {
            type.clearFields();
            for (GraphQLFieldDefinition field : subscription.getFieldDefinitions()) {
                type.field(field.getType() instanceof GraphQLNonNull nonNull
                        ? field.transform(f -> f.type((GraphQLOutputType) nonNull.getWrappedType()))
                        : field);
            }
        });
    }
}
