package org.ccpresence.webhooks;

import java.util.Set;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("WebhookInput")
public class WebhookInput {

    @NonNull
    public String url;

    @Description("A Standard Webhooks signing secret, whsec_ followed by the base64 of 24 to 64 random bytes. Required on "
            + "create; left out of an update: kept. Never returned.")
    public String secret;

    @Id
    public Long workstreamId;

    @Description("Default true. Setting it true again after the service disabled the webhook resumes delivery where it stopped.")
    public Boolean enabled;

    /** The fields the client gave (an explicit null included). */
    @Ignore
    public Set<String> given = Set.of();
}
