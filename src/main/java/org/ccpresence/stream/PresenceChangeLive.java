package org.ccpresence.stream;

import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.ccpresence.agent.AgentAccess;
import org.ccpresence.graphql.EventSink;
import org.ccpresence.graphql.LiveField;
import org.ccpresence.presence.Presence;
import org.ccpresence.presence.PresenceWarnings;
import org.ccpresence.security.Caller;
import org.ccpresence.security.Roles;

import graphql.schema.DataFetcher;
import graphql.schema.FieldCoordinates;
import io.smallrye.mutiny.Uni;

/** presenceChanged over WebSocket: checks the caller and the arguments, then feeds the subscriber from the stream. */
@ApplicationScoped
class PresenceChangeLive implements LiveField {

    private final PresenceStream stream;
    private final AgentAccess access;
    private final ChangeRetention retention;

    PresenceChangeLive(PresenceStream stream, AgentAccess access, ChangeRetention retention) {
        this.stream = stream;
        this.access = access;
        this.retention = retention;
    }

    @Override
    public String name() {
        return "presenceChanged";
    }

    @Override
    public Set<String> filterArguments() {
        return Set.of("agentIds", "workstreamId", "afterSequence");
    }

    /** A presence's warnings are computed from the presence itself (the engine's fetcher goes through a request). */
    @Override
    public Map<FieldCoordinates, DataFetcher<?>> fetchers() {
        DataFetcher<List<String>> warnings = env -> {
            Presence presence = env.getSource();
            return PresenceWarnings.of(presence.presenceText, presence.baseStatus);
        };
        return Map.of(FieldCoordinates.coordinates("Presence", "warnings"), warnings);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Uni<Runnable> open(Caller caller, Map<String, Object> arguments, EventSink sink) {
        caller.requireAnyRole(Roles.ADMIN, Roles.SUPERVISOR, Roles.AGENT);
        List<Long> requested = stream.agentIds((List<String>) arguments.get("agentIds"));
        Long workstreamId = LiveField.id(arguments, "workstreamId");
        Long resumeAfter = stream.resumePoint((String) arguments.get("afterSequence"));
        return access.visibleAgents(caller, requested).call(() -> retention.checkResume(resumeAfter))
                .map(visible -> stream.open(visible, workstreamId, resumeAfter, sink));
    }
}
