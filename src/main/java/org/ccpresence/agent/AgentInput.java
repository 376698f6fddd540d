package org.ccpresence.agent;

import java.util.List;

import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("AgentInput")
public class AgentInput {
    @NonNull
    public String userId;
    @NonNull
    public String name;
    @Id
    public Long defaultPresenceId;
    @Id
    public List<@NonNull Long> workstreamIds;
    public Integer capacity;

    public AgentInput() {
    }

    AgentInput(String userId, String name, Long defaultPresenceId, List<Long> workstreamIds, Integer capacity) {
        this.userId = userId;
        this.name = name;
        this.defaultPresenceId = defaultPresenceId;
        this.workstreamIds = workstreamIds;
        this.capacity = capacity;
    }
}
