package org.ccpresence.agent;

import org.ccpresence.presence.BaseStatus;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;

@Input("AgentFilter")
public class AgentFilter {
    public BaseStatus baseStatus;
    @Id
    public Long workstreamId;
    public Boolean signedIn;
}
