package org.ccpresence.presence;

import java.util.Set;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("PresenceInput")
public class PresenceInput {
    @NonNull
    public String name;
    @NonNull
    public String presenceText;
    @NonNull
    public BaseStatus baseStatus;
    public String description;
    @Description("Custom presences only, 1–86 400. Left out of an update: kept; null: no limit.")
    public Integer timeLimitSeconds;
    @Id
    @Description("Needs a time limit. Left out of an update: kept (cleared with the limit); null: the agent's default presence, or Available.")
    public Long thenPresenceId;

    /** The fields the client gave, explicit nulls included (see GivenFields); on update, the others keep their value. */
    @Ignore
    public Set<String> given = Set.of();

    public PresenceInput() {
    }

    public PresenceInput(String name, String presenceText, BaseStatus baseStatus, String description) {
        this.name = name;
        this.presenceText = presenceText;
        this.baseStatus = baseStatus;
        this.description = description;
    }
}
