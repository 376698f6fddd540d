package org.ccpresence.workstream;

import java.util.List;

import org.ccpresence.presence.BaseStatus;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("WorkstreamInput")
public class WorkstreamInput {
    @NonNull
    public String name;
    @NonNull
    public WorkstreamType type;
    @Description("Default [AVAILABLE, BUSY].")
    public List<@NonNull BaseStatus> allowedPresences;
    @Description("Default false.")
    public Boolean missedNotifications;
    @Description("Default 120 (as a notification template).")
    public Integer offerTimeoutSeconds;
    @Description("Default 0: capacity plays no part.")
    public Integer capacityPerItem;
    @Description("Default 1.")
    public Integer missesToInactive;
    @Description("Default null: never. Left out of an update: kept; null: never.")
    public Integer missesToSignOut;
    @Description("0–3600, default 0 (no wrap-up). Left out of an update: kept.")
    public Integer wrapUpSeconds;
    @org.eclipse.microprofile.graphql.Id
    @Description("An agent-selectable presence; null: a rejection leaves the presence as it is. Left out of an update: kept.")
    public Long presenceAfterRejectId;

    /** The fields the client gave, explicit nulls included (see GivenFields); on update, the others keep their value. */
    @org.eclipse.microprofile.graphql.Ignore
    public java.util.Set<String> given = java.util.Set.of();
}
