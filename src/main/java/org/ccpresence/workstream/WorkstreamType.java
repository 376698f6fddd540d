package org.ccpresence.workstream;

import org.eclipse.microprofile.graphql.Description;

@Description("Workstream types, as in unified routing.")
public enum WorkstreamType {
    MESSAGING, RECORD, VOICE
}
