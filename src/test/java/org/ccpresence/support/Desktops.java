package org.ccpresence.support;

import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;

import java.util.List;
import java.util.Map;

import org.ccpresence.support.GraphQLWs.Protocol;

import io.restassured.RestAssured;
import io.vertx.core.Vertx;

/** Agents with a known userId (for their own token), and their desktops: a WebSocket with their own subscription. */
public final class Desktops {

    public record Desk(String id, String userId) {
    }

    private Desktops() {
    }

    public static Desk agent(List<String> workstreams) {
        String userId = unique("desk");
        String id = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                Map.of("userId", userId, "name", "Desk " + userId, "workstreamIds", workstreams)), "data.createAgent.id");
        return new Desk(id, userId);
    }

    public static GraphQLWs open(Vertx vertx, Desk agent, Protocol protocol) throws Exception {
        GraphQLWs ws = GraphQLWs.connect(vertx, RestAssured.port, protocol,
                Map.of("Authorization", "Bearer " + Tokens.agent(agent.userId())), Map.of());
        ws.subscribe("subscription { presenceChanged { cause } }", Map.of());
        return ws;
    }
}
