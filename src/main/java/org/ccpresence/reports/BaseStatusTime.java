package org.ccpresence.reports;

import org.ccpresence.presence.BaseStatus;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

@Description("Seconds an agent spent in one base status within a report's period.")
public record BaseStatusTime(@NonNull BaseStatus baseStatus, double seconds) {
}
