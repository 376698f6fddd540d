package org.ccpresence.presence;

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

    public PresenceInput() {
    }

    public PresenceInput(String name, String presenceText, BaseStatus baseStatus, String description) {
        this.name = name;
        this.presenceText = presenceText;
        this.baseStatus = baseStatus;
        this.description = description;
    }
}
